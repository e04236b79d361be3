/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	include/uapi/linux/pvpanic_sim.yaml */
/* by scripts/ynl-names.py */

#ifndef _PVPANIC_SIM_NAMES_H
#define _PVPANIC_SIM_NAMES_H

/* Include the uapi header (<linux/pvpanic_sim.h>) and strcmp()'s first. */

#ifndef ARRAY_SIZE	/* user space */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

static inline const char *pvpanic_sim_run_state_name(unsigned long long v)
{
	static const char *const names[] = {
		[PVPANIC_SIM_RUN_STATE_DEBUG] = "debug",
		[PVPANIC_SIM_RUN_STATE_INMIGRATE] = "inmigrate",
		[PVPANIC_SIM_RUN_STATE_INTERNAL_ERROR] = "internal-error",
		[PVPANIC_SIM_RUN_STATE_IO_ERROR] = "io-error",
		[PVPANIC_SIM_RUN_STATE_PAUSED] = "paused",
		[PVPANIC_SIM_RUN_STATE_POSTMIGRATE] = "postmigrate",
		[PVPANIC_SIM_RUN_STATE_PRELAUNCH] = "prelaunch",
		[PVPANIC_SIM_RUN_STATE_FINISH_MIGRATE] = "finish-migrate",
		[PVPANIC_SIM_RUN_STATE_RESTORE_VM] = "restore-vm",
		[PVPANIC_SIM_RUN_STATE_RUNNING] = "running",
		[PVPANIC_SIM_RUN_STATE_SAVE_VM] = "save-vm",
		[PVPANIC_SIM_RUN_STATE_SHUTDOWN] = "shutdown",
		[PVPANIC_SIM_RUN_STATE_SUSPENDED] = "suspended",
		[PVPANIC_SIM_RUN_STATE_WATCHDOG] = "watchdog",
		[PVPANIC_SIM_RUN_STATE_GUEST_PANICKED] = "guest-panicked",
		[PVPANIC_SIM_RUN_STATE_COLO] = "colo",
	};

	return v < ARRAY_SIZE(names) ? names[v] : NULL;
}

static inline const char *pvpanic_sim_run_state_str(unsigned long long v)
{
	return pvpanic_sim_run_state_name(v) ?: "unknown";
}

static inline int pvpanic_sim_run_state_parse(const char *name)
{
	const char *s;
	int i;

	for (i = 0; i <= PVPANIC_SIM_RUN_STATE_MAX; i++) {
		s = pvpanic_sim_run_state_name(i);
		if (s && !strcmp(s, name))
			return i;
	}
	return -1;
}

static inline const char *pvpanic_sim_guest_panic_action_name(unsigned long long v)
{
	static const char *const names[] = {
		[PVPANIC_SIM_GUEST_PANIC_ACTION_PAUSE] = "pause",
		[PVPANIC_SIM_GUEST_PANIC_ACTION_POWEROFF] = "poweroff",
		[PVPANIC_SIM_GUEST_PANIC_ACTION_RUN] = "run",
	};

	return v < ARRAY_SIZE(names) ? names[v] : NULL;
}

static inline const char *pvpanic_sim_guest_panic_action_str(unsigned long long v)
{
	return pvpanic_sim_guest_panic_action_name(v) ?: "unknown";
}

static inline int pvpanic_sim_guest_panic_action_parse(const char *name)
{
	const char *s;
	int i;

	for (i = 0; i <= PVPANIC_SIM_GUEST_PANIC_ACTION_MAX; i++) {
		s = pvpanic_sim_guest_panic_action_name(i);
		if (s && !strcmp(s, name))
			return i;
	}
	return -1;
}

static inline const char *pvpanic_sim_shutdown_cause_name(unsigned long long v)
{
	static const char *const names[] = {
		[PVPANIC_SIM_SHUTDOWN_CAUSE_NONE] = "none",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
		[PVPANIC_SIM_SHUTDOWN_CAUSE_SNAPSHOT_LOAD] = "snapshot-load",
	};

	return v < ARRAY_SIZE(names) ? names[v] : NULL;
}

static inline const char *pvpanic_sim_shutdown_cause_str(unsigned long long v)
{
	return pvpanic_sim_shutdown_cause_name(v) ?: "unknown";
}

static inline int pvpanic_sim_shutdown_cause_parse(const char *name)
{
	const char *s;
	int i;

	for (i = 0; i <= PVPANIC_SIM_SHUTDOWN_CAUSE_MAX; i++) {
		s = pvpanic_sim_shutdown_cause_name(i);
		if (s && !strcmp(s, name))
			return i;
	}
	return -1;
}

static inline const char *pvpanic_sim_panic_action_name(unsigned long long v)
{
	static const char *const names[] = {
		[PVPANIC_SIM_PANIC_ACTION_PAUSE] = "pause",
		[PVPANIC_SIM_PANIC_ACTION_SHUTDOWN] = "shutdown",
		[PVPANIC_SIM_PANIC_ACTION_EXIT_FAILURE] = "exit-failure",
		[PVPANIC_SIM_PANIC_ACTION_NONE] = "none",
	};

	return v < ARRAY_SIZE(names) ? names[v] : NULL;
}

static inline const char *pvpanic_sim_panic_action_str(unsigned long long v)
{
	return pvpanic_sim_panic_action_name(v) ?: "unknown";
}

static inline int pvpanic_sim_panic_action_parse(const char *name)
{
	const char *s;
	int i;

	for (i = 0; i <= PVPANIC_SIM_PANIC_ACTION_MAX; i++) {
		s = pvpanic_sim_panic_action_name(i);
		if (s && !strcmp(s, name))
			return i;
	}
	return -1;
}

static inline const char *pvpanic_sim_event_name(unsigned long long v)
{
	static const char *const names[] = {
		[PVPANIC_SIM_EVENT_GUEST_PANICKED] = "GUEST_PANICKED",
		[PVPANIC_SIM_EVENT_GUEST_CRASHLOADED] = "GUEST_CRASHLOADED",
		[PVPANIC_SIM_EVENT_STOP] = "STOP",
		[PVPANIC_SIM_EVENT_RESUME] = "RESUME",
		[PVPANIC_SIM_EVENT_SHUTDOWN] = "SHUTDOWN",
		[PVPANIC_SIM_EVENT_RESET] = "RESET",
		[PVPANIC_SIM_EVENT_GUEST_PVSHUTDOWN] = "GUEST_PVSHUTDOWN",
	};

	return v < ARRAY_SIZE(names) ? names[v] : NULL;
}

static inline const char *pvpanic_sim_event_str(unsigned long long v)
{
	return pvpanic_sim_event_name(v) ?: "unknown";
}

static inline int pvpanic_sim_event_parse(const char *name)
{
	const char *s;
	int i;

	for (i = 0; i <= PVPANIC_SIM_EVENT_MAX; i++) {
		s = pvpanic_sim_event_name(i);
		if (s && !strcmp(s, name))
			return i;
	}
	return -1;
}

#endif /* _PVPANIC_SIM_NAMES_H */
