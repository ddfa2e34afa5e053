// Minimal <mach/mach_time.h> for the sample sources (see ../README.md).
#ifndef SAMPLE_MACH_TIME_H
#define SAMPLE_MACH_TIME_H
unsigned long long mach_absolute_time(void);
#endif
