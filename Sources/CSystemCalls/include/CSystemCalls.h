// Linux system calls Swift cannot reach directly: prctl(2) is variadic, syncfs(2) and sync_file_range(2) need
// _GNU_SOURCE.
#ifndef CRMVAULT_CSYSTEMCALLS_H
#define CRMVAULT_CSYSTEMCALLS_H

/// prctl(PR_SET_DUMPABLE, 0): no core dump, no ptrace attach and no /proc/PID/mem by other processes of this user.
/// Returns 0, or -1 with errno set.
int crmvault_set_not_dumpable(void);

/// prctl(PR_GET_DUMPABLE): 1 when the process is dumpable, 0 when not, -1 on error.
int crmvault_is_dumpable(void);

/// syncfs(2): flushes the file system that holds `fd`. Returns 0, or -1 with errno set.
int crmvault_syncfs(int fd);

/// sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE): starts writing those bytes to disk without waiting, so
/// a later fsync finds most of the file already written. Returns 0, or -1 with errno set (a hint: callers may ignore it).
int crmvault_start_writeback(int fd, long long offset, long long count);

#endif
