#define _GNU_SOURCE
#include <unistd.h>
#include "CSystemCalls.h"

#ifdef __linux__
#include <fcntl.h>
#include <sys/prctl.h>

int crmvault_set_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

int crmvault_is_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

int crmvault_syncfs(int fd) { return syncfs(fd); }

int crmvault_start_writeback(int fd, long long offset, long long count) {
    return sync_file_range(fd, offset, count, SYNC_FILE_RANGE_WRITE);
}

#else
// Elsewhere (macOS builds): no prctl; a whole-system sync stands in for syncfs.
int crmvault_set_not_dumpable(void) { return 0; }

int crmvault_is_dumpable(void) { return 1; }

int crmvault_syncfs(int fd) {
    (void)fd;
    sync();
    return 0;
}

int crmvault_start_writeback(int fd, long long offset, long long count) {
    (void)fd;
    (void)offset;
    (void)count;
    return 0;
}
#endif
