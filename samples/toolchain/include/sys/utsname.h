// Minimal <sys/utsname.h> for the sample sources (see ../README.md).
#ifndef SAMPLE_SYS_UTSNAME_H
#define SAMPLE_SYS_UTSNAME_H
struct utsname {
	char sysname[256], nodename[256], release[256], version[256], machine[256];
};
int uname(struct utsname *name);
#endif
