/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load and unload pvpanic_sim from a C test with finit_module(2) and
 * delete_module(2), as lib.sh's sim_load and unload_mod do from the shell:
 * the module of this tree ($PVP_ROOT, else ../..), unloaded once nothing
 * holds it (up to 5 s).
 */
#ifndef _SIM_MOD_H
#define _SIM_MOD_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sim_unload(void)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, "pvpanic_sim", O_NONBLOCK) ||
		    errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return -1;
		nanosleep(&nap, NULL);
	}
	return -1;
}

/* A fresh pvpanic_sim with @params; -1 with errno set if not. */
static int sim_load(const char *params)
{
	const char *root = getenv("PVP_ROOT");
	char path[PATH_MAX];
	int fd, ret, err;

	if (sim_unload())
		return -1;
	snprintf(path, sizeof(path), "%s/host-module/pvpanic_sim.ko",
		 root ? root : "../..");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

#endif /* _SIM_MOD_H */
