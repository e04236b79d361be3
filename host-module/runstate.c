// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim run state: what QEMU does on a write to its pvpanic port
 * (hw/misc/pvpanic.c) and the QMP run state it moves (system/runstate.c):
 * GUEST_PANICKED with the panic action, GUEST_CRASHLOADED, with QEMU 10.0
 * GUEST_PVSHUTDOWN, and the control commands stop, cont and system_reset.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/netlink.h>
#include <uapi/misc/pvpanic.h>

#ifndef PVPANIC_SHUTDOWN		/* <uapi/misc/pvpanic.h> before 6.10 */
#define PVPANIC_SHUTDOWN	BIT(2)
#endif

#include "pvpanic_sim.h"

#define PVP_LOCK_TRIES		1000	/* x 1 us: bound on waiting for the lock */

/* Under pvpanic_sim_lock. */
static u32 pvp_run_state = PVPANIC_SIM_RUN_STATE_RUNNING;
static u32 pvp_panic_action = PVPANIC_SIM_PANIC_ACTION_SHUTDOWN;

static atomic_t pvp_unknown_logged = ATOMIC_INIT(0);
static u32 pvp_qemu = 702;		/* set once, at load */

void pvpanic_sim_set_qemu(u32 version)
{
	pvp_qemu = version;
}

u32 pvpanic_sim_qemu(void)
{
	return pvp_qemu;
}

static void pvp_record(u8 event, u32 device, u8 value, u8 action, bool guest,
		       u8 reason)
{
	pvpanic_sim_record(event, device, value, action, guest, reason,
			   pvp_run_state);
}

/* QEMU's vm_stop(): acts, and sends STOP, only when running. */
static void pvp_vm_stop(u32 state, u32 device, u8 value)
{
	if (pvp_run_state != PVPANIC_SIM_RUN_STATE_RUNNING)
		return;
	pvp_run_state = state;
	pvp_record(PVPANIC_SIM_EVENT_STOP, device, value, 0, false, 0);
}

/* QEMU's qemu_system_guest_panicked(). */
static void pvp_guest_panicked(u32 device, u8 value)
{
	switch (pvp_panic_action) {
	case PVPANIC_SIM_PANIC_ACTION_PAUSE:
		pvp_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
			   PVPANIC_SIM_GUEST_PANIC_ACTION_PAUSE, false, 0);
		pvp_vm_stop(PVPANIC_SIM_RUN_STATE_GUEST_PANICKED, device, value);
		break;
	case PVPANIC_SIM_PANIC_ACTION_SHUTDOWN:
	case PVPANIC_SIM_PANIC_ACTION_EXIT_FAILURE:
		pvp_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
			   PVPANIC_SIM_GUEST_PANIC_ACTION_POWEROFF, false, 0);
		/*
		 * QEMU sends SHUTDOWN from its main loop and exits before it
		 * handles the pending vm_stop (so no STOP).  The model has no
		 * process to end: it stays in "shutdown" until system_reset.
		 */
		pvp_run_state = PVPANIC_SIM_RUN_STATE_SHUTDOWN;
		pvp_record(PVPANIC_SIM_EVENT_SHUTDOWN, device, value, 0, true,
			   PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_PANIC);
		break;
	default:
		pvp_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
			   PVPANIC_SIM_GUEST_PANIC_ACTION_RUN, false, 0);
		break;
	}
}

/*
 * QEMU 10.0's qemu_system_guest_pvshutdown(): GUEST_PVSHUTDOWN, then a
 * guest shutdown request, whatever the panic action.  QEMU exits there
 * (or, with -no-shutdown, stops in "shutdown"); the model stays in
 * "shutdown" until system_reset, as after a panic with action shutdown.
 */
static void pvp_guest_pvshutdown(u32 device, u8 value)
{
	pvp_record(PVPANIC_SIM_EVENT_GUEST_PVSHUTDOWN, device, value, 0, false,
		   0);
	pvp_run_state = PVPANIC_SIM_RUN_STATE_SHUTDOWN;
	pvp_record(PVPANIC_SIM_EVENT_SHUTDOWN, device, value, 0, true,
		   PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
}

/*
 * A write to the port of @device: QEMU's handle_event().  Not filtered by
 * the capability; bit 0 first, then bit 1, then (QEMU 10.0) bit 2, the
 * first match only.  May run in panic context: never waits unboundedly
 * for the lock (the holder may be a CPU stopped with it held); after about
 * 1 ms the event is lost.
 */
void pvpanic_sim_port_write(u32 device, u8 value)
{
	u8 known = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
	unsigned long flags;
	int i;

	if (pvp_qemu >= 1000)
		known |= PVPANIC_SHUTDOWN;

	if ((value & ~known) && !atomic_xchg(&pvp_unknown_logged, 1))
		pr_warn("unknown event %#x\n", value);
	if (!(value & known))
		return;

	for (i = 0; i < PVP_LOCK_TRIES; i++) {
		if (raw_spin_trylock_irqsave(&pvpanic_sim_lock, flags)) {
			if (value & PVPANIC_PANICKED)
				pvp_guest_panicked(device, value);
			else if (value & PVPANIC_CRASH_LOADED)
				pvp_record(PVPANIC_SIM_EVENT_GUEST_CRASHLOADED,
					   device, value,
					   PVPANIC_SIM_GUEST_PANIC_ACTION_RUN,
					   false, 0);
			else
				pvp_guest_pvshutdown(device, value);
			raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
			pvpanic_sim_events_kick();
			return;
		}
		udelay(1);
	}
	pvpanic_sim_record_lost();
}

/* Control commands, process context. */

void pvpanic_sim_set_panic_action(u32 action)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	pvp_panic_action = action;
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
}

void pvpanic_sim_get_status(struct pvpanic_sim_status *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	st->status = pvp_run_state;
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	st->running = st->status == PVPANIC_SIM_RUN_STATE_RUNNING;
}

void pvpanic_sim_get_config(struct pvpanic_sim_config *cfg)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	cfg->panic_action = pvp_panic_action;
	cfg->qemu = pvp_qemu;
	cfg->capability = pvpanic_sim_capability();
	cfg->seq = pvpanic_sim_events_seq();
	cfg->lost = pvpanic_sim_events_lost();
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
}

void pvpanic_sim_set_config(const u32 *capability, const u32 *panic_action)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	if (capability)
		pvpanic_sim_set_capability(*capability);
	if (panic_action)
		pvp_panic_action = *panic_action;
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
}

/* QMP stop: vm_stop(RUN_STATE_PAUSED). */
void pvpanic_sim_stop(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	pvp_vm_stop(PVPANIC_SIM_RUN_STATE_PAUSED, PVPANIC_SIM_NO_DEVICE, 0);
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	pvpanic_sim_events_kick();
}

/* QMP cont: refused when a reset is needed, else vm_start(). */
int pvpanic_sim_cont(struct netlink_ext_ack *extack)
{
	unsigned long flags;
	int ret = 0;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	switch (pvp_run_state) {
	case PVPANIC_SIM_RUN_STATE_SHUTDOWN:
	case PVPANIC_SIM_RUN_STATE_INTERNAL_ERROR:
		NL_SET_ERR_MSG(extack, "Resetting the Virtual Machine is required");
		ret = -EBUSY;
		break;
	case PVPANIC_SIM_RUN_STATE_SUSPENDED:
	case PVPANIC_SIM_RUN_STATE_RUNNING:
		break;
	case PVPANIC_SIM_RUN_STATE_FINISH_MIGRATE:
		NL_SET_ERR_MSG(extack, "Migration is not finalized yet");
		ret = -EBUSY;
		break;
	default:
		pvp_run_state = PVPANIC_SIM_RUN_STATE_RUNNING;
		pvp_record(PVPANIC_SIM_EVENT_RESUME, PVPANIC_SIM_NO_DEVICE, 0, 0,
			   false, 0);
		break;
	}
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	pvpanic_sim_events_kick();
	return ret;
}

/* QMP system_reset: RESET, then prelaunch unless running (main loop). */
void pvpanic_sim_system_reset(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	/* Events carry the state their own transition leads to. */
	if (pvp_run_state != PVPANIC_SIM_RUN_STATE_RUNNING &&
	    pvp_run_state != PVPANIC_SIM_RUN_STATE_INMIGRATE &&
	    pvp_run_state != PVPANIC_SIM_RUN_STATE_FINISH_MIGRATE)
		pvp_run_state = PVPANIC_SIM_RUN_STATE_PRELAUNCH;
	pvp_record(PVPANIC_SIM_EVENT_RESET, PVPANIC_SIM_NO_DEVICE, 0, 0, false,
		   PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	pvpanic_sim_events_kick();
}
