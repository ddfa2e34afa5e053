// Minimal <sys/sysctl.h> for the sample sources (see ../README.md).
#ifndef SAMPLE_SYS_SYSCTL_H
#define SAMPLE_SYS_SYSCTL_H
int sysctlbyname(const char *name, void *oldp, unsigned long *oldlenp, void *newp, unsigned long newlen);
#endif
