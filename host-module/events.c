// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim events: a fixed ring filled in any context (panic included),
 * drained to the "events" multicast group from a work item on any CPU.
 * Every event is numbered; one that finds the ring full is counted lost.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "pvpanic_sim.h"
#include <pvpanic_sim_names.h>

/* One parsable console line per event, for a harness reading the serial port. */
static void pvp_console_event(const struct pvpanic_sim_event_rec *rec)
{
	const char *name = pvpanic_sim_event_str(rec->event);
	const char *status = pvpanic_sim_run_state_str(rec->status);

	switch (rec->event) {
	case PVPANIC_SIM_EVENT_GUEST_PANICKED:
	case PVPANIC_SIM_EVENT_GUEST_CRASHLOADED:
		pr_emerg("event seq=%llu %s action=%s value=%#x status=%s\n",
			 rec->seq, name,
			 pvpanic_sim_guest_panic_action_str(rec->action),
			 rec->value, status);
		break;
	case PVPANIC_SIM_EVENT_SHUTDOWN:
	case PVPANIC_SIM_EVENT_RESET:
		pr_emerg("event seq=%llu %s guest=%s reason=%s value=%#x status=%s\n",
			 rec->seq, name, rec->guest ? "true" : "false",
			 pvpanic_sim_shutdown_cause_str(rec->reason),
			 rec->value, status);
		break;
	default:
		pr_emerg("event seq=%llu %s value=%#x status=%s\n", rec->seq,
			 name, rec->value, status);
		break;
	}
}

/* Called with the lock held, the run state already the one after the event. */
void pvpanic_sim_record(u8 event, u32 device, u8 value, u8 action,
			bool guest, u8 reason)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	struct pvpanic_sim_event_rec rec = {
		.seq = atomic64_inc_return(&sim->seq),
		.timestamp_ns = ktime_get_real_fast_ns(),
		.device = device,
		.event = event,
		.action = action,
		.reason = reason,
		.guest = guest,
		.status = sim->run_state,
		.value = value,
	};

	lockdep_assert_held(&sim->lock);
	if (sim->ring_count == sim->ring_size) {
		atomic64_inc(&sim->lost);
	} else {
		rec.lost = atomic64_read(&sim->lost);
		sim->ring[(sim->ring_head + sim->ring_count) % sim->ring_size] = rec;
		sim->ring_count++;
	}

	/* In a real panic nothing will deliver the ring: tell the console. */
	if (oops_in_progress)
		pvp_console_event(&rec);
}

/* An event that could not get the lock: numbered, and counted lost. */
void pvpanic_sim_record_lost(void)
{
	atomic64_inc(&pvpanic_sim.seq);
	atomic64_inc(&pvpanic_sim.lost);
}

/* Any context: schedule the delivery. */
void pvpanic_sim_events_kick(void)
{
	irq_work_queue(&pvpanic_sim.kick);
}

static void pvp_kick_fn(struct irq_work *work)
{
	struct pvpanic_sim *sim = container_of(work, struct pvpanic_sim, kick);

	/*
	 * Unbound: the CPU that wrote the port may stay busy (a guest
	 * writing events back to back); another CPU drains the ring meanwhile.
	 */
	if (!READ_ONCE(sim->closing))
		queue_work(system_unbound_wq, &sim->deliver);
}

static void pvp_deliver_fn(struct work_struct *work)
{
	struct pvpanic_sim *sim = container_of(work, struct pvpanic_sim,
					       deliver);
	struct pvpanic_sim_event_rec rec;
	unsigned long flags;

	for (;;) {
		raw_spin_lock_irqsave(&sim->lock, flags);
		if (sim->hold || !sim->ring_count) {
			raw_spin_unlock_irqrestore(&sim->lock, flags);
			break;
		}
		rec = sim->ring[sim->ring_head];
		sim->ring_head = (sim->ring_head + 1) % sim->ring_size;
		sim->ring_count--;
		atomic_inc(&sim->sending);	/* with the pop, under the lock */
		raw_spin_unlock_irqrestore(&sim->lock, flags);

		if (pvpanic_sim_nl_has_listeners())
			pvpanic_sim_nl_send_event(&rec);
		atomic_dec(&sim->sending);
	}
}

void pvpanic_sim_events_hold(bool hold)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->hold = hold;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	if (!hold)
		pvpanic_sim_events_kick();
}

/*
 * Events not delivered yet: in the ring, or taken from it and not yet
 * multicast.  Tests wait for 0 before subscribing, so that a new listener
 * gets no event of an earlier step.
 */
unsigned int pvpanic_sim_events_pending(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&sim->lock, flags);
	n = sim->ring_count + atomic_read(&sim->sending);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return n;
}

/* Allocated here, once: recording an event never allocates. */
int pvpanic_sim_events_init(unsigned int ring_size)
{
	struct pvpanic_sim *sim = &pvpanic_sim;

	sim->ring = kvcalloc(ring_size, sizeof(*sim->ring), GFP_KERNEL);
	if (!sim->ring)
		return -ENOMEM;
	sim->ring_size = ring_size;
	init_irq_work(&sim->kick, pvp_kick_fn);
	INIT_WORK(&sim->deliver, pvp_deliver_fn);
	return 0;
}

/* No delivery after this; a command may still queue the irq_work, so twice. */
void pvpanic_sim_events_stop(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;

	WRITE_ONCE(sim->closing, true);
	irq_work_sync(&sim->kick);
	cancel_work_sync(&sim->deliver);
}

void pvpanic_sim_events_exit(void)
{
	pvpanic_sim_events_stop();
	kvfree(pvpanic_sim.ring);
}
