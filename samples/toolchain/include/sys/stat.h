// Minimal <sys/stat.h> for the sample sources (see ../README.md).
#ifndef SAMPLE_SYS_STAT_H
#define SAMPLE_SYS_STAT_H
struct timespec {
	long tv_sec, tv_nsec;
};
// Layout of Darwin's 64-bit struct stat.
struct stat {
	int st_dev;
	unsigned short st_mode, st_nlink;
	unsigned long long st_ino;
	unsigned int st_uid, st_gid;
	int st_rdev;
	struct timespec st_atimespec, st_mtimespec, st_ctimespec, st_birthtimespec;
	long long st_size, st_blocks;
	int st_blksize;
	unsigned int st_flags, st_gen;
	int st_lspare;
	long long st_qspare[2];
};
int stat(const char *path, struct stat *buf);
int fstat(int fd, struct stat *buf);
#endif
