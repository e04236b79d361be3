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

/* QEMU's vm_stop(): acts, and sends STOP, only when running. */
static void pvp_vm_stop(struct pvpanic_sim *sim, u32 state, u32 device,
			u8 value)
{
	if (sim->run_state != PVPANIC_SIM_RUN_STATE_RUNNING)
		return;
	sim->run_state = state;
	pvpanic_sim_record(PVPANIC_SIM_EVENT_STOP, device, value, 0, false, 0);
}

/* QEMU's qemu_system_guest_panicked(). */
static void pvp_guest_panicked(struct pvpanic_sim *sim, u32 device, u8 value)
{
	switch (sim->panic_action) {
	case PVPANIC_SIM_PANIC_ACTION_PAUSE:
		pvpanic_sim_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
				   PVPANIC_SIM_GUEST_PANIC_ACTION_PAUSE, false, 0);
		pvp_vm_stop(sim, PVPANIC_SIM_RUN_STATE_GUEST_PANICKED, device,
			    value);
		break;
	case PVPANIC_SIM_PANIC_ACTION_SHUTDOWN:
	case PVPANIC_SIM_PANIC_ACTION_EXIT_FAILURE:
		pvpanic_sim_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
				   PVPANIC_SIM_GUEST_PANIC_ACTION_POWEROFF, false, 0);
		/*
		 * QEMU sends SHUTDOWN from its main loop and exits before it
		 * handles the pending vm_stop (so no STOP).  The model has no
		 * process to end: it stays in "shutdown" until system_reset.
		 */
		sim->run_state = PVPANIC_SIM_RUN_STATE_SHUTDOWN;
		pvpanic_sim_record(PVPANIC_SIM_EVENT_SHUTDOWN, device, value, 0, true,
				   PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_PANIC);
		break;
	default:
		pvpanic_sim_record(PVPANIC_SIM_EVENT_GUEST_PANICKED, device, value,
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
static void pvp_guest_pvshutdown(struct pvpanic_sim *sim, u32 device, u8 value)
{
	pvpanic_sim_record(PVPANIC_SIM_EVENT_GUEST_PVSHUTDOWN, device, value, 0,
			   false, 0);
	sim->run_state = PVPANIC_SIM_RUN_STATE_SHUTDOWN;
	pvpanic_sim_record(PVPANIC_SIM_EVENT_SHUTDOWN, device, value, 0, true,
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
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;
	int i;

	if (sim->qemu >= 1000)
		known |= PVPANIC_SHUTDOWN;

	if ((value & ~known) && !atomic_xchg(&sim->unknown_logged, 1))
		pr_warn("unknown event %#x\n", value);
	if (!(value & known))
		return;

	for (i = 0; i < PVP_LOCK_TRIES; i++) {
		if (raw_spin_trylock_irqsave(&sim->lock, flags)) {
			if (value & PVPANIC_PANICKED)
				pvp_guest_panicked(sim, device, value);
			else if (value & PVPANIC_CRASH_LOADED)
				pvpanic_sim_record(PVPANIC_SIM_EVENT_GUEST_CRASHLOADED,
						   device, value,
						   PVPANIC_SIM_GUEST_PANIC_ACTION_RUN,
						   false, 0);
			else
				pvp_guest_pvshutdown(sim, device, value);
			raw_spin_unlock_irqrestore(&sim->lock, flags);
			pvpanic_sim_events_kick();
			return;
		}
		udelay(1);
	}
	pvpanic_sim_record_lost();
}

/* Control commands, process context. */

u32 pvpanic_sim_get_status(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;
	u32 status;

	raw_spin_lock_irqsave(&sim->lock, flags);
	status = sim->run_state;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return status;
}

void pvpanic_sim_get_config(struct pvpanic_sim_config *cfg)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	cfg->panic_action = sim->panic_action;
	cfg->qemu = sim->qemu;
	cfg->capability = READ_ONCE(sim->capability);
	cfg->seq = atomic64_read(&sim->seq);
	cfg->lost = atomic64_read(&sim->lost);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

void pvpanic_sim_set_config(const u32 *capability, const u32 *panic_action)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	if (capability)
		WRITE_ONCE(sim->capability, *capability);
	if (panic_action)
		sim->panic_action = *panic_action;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

/* QMP stop: vm_stop(RUN_STATE_PAUSED). */
void pvpanic_sim_stop(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	pvp_vm_stop(sim, PVPANIC_SIM_RUN_STATE_PAUSED, PVPANIC_SIM_NO_DEVICE, 0);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	pvpanic_sim_events_kick();
}

/* QMP cont: refused when a reset is needed, else vm_start(). */
int pvpanic_sim_cont(struct netlink_ext_ack *extack)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;
	int ret = 0;

	raw_spin_lock_irqsave(&sim->lock, flags);
	switch (sim->run_state) {
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
		sim->run_state = PVPANIC_SIM_RUN_STATE_RUNNING;
		pvpanic_sim_record(PVPANIC_SIM_EVENT_RESUME,
				   PVPANIC_SIM_NO_DEVICE, 0, 0, false, 0);
		break;
	}
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	pvpanic_sim_events_kick();
	return ret;
}

/* QMP system_reset: RESET, then prelaunch unless running (main loop). */
void pvpanic_sim_system_reset(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	/* Events carry the state their own transition leads to. */
	if (sim->run_state != PVPANIC_SIM_RUN_STATE_RUNNING &&
	    sim->run_state != PVPANIC_SIM_RUN_STATE_INMIGRATE &&
	    sim->run_state != PVPANIC_SIM_RUN_STATE_FINISH_MIGRATE)
		sim->run_state = PVPANIC_SIM_RUN_STATE_PRELAUNCH;
	pvpanic_sim_record(PVPANIC_SIM_EVENT_RESET, PVPANIC_SIM_NO_DEVICE, 0, 0,
			   false, PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	pvpanic_sim_events_kick();
}
