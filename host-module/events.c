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
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "pvpanic_sim.h"
#include <pvpanic_sim_names.h>

DEFINE_RAW_SPINLOCK(pvpanic_sim_lock);

/* Under pvpanic_sim_lock. */
static struct pvpanic_sim_event_rec *pvp_ring;
static unsigned int pvp_ring_size, pvp_ring_head, pvp_ring_count;
static bool pvp_hold;			/* debugfs: keep events in the ring */

static atomic64_t pvp_seq = ATOMIC64_INIT(0);
static atomic64_t pvp_lost = ATOMIC64_INIT(0);
static atomic_t pvp_sending = ATOMIC_INIT(0);	/* popped, not multicast */
static bool pvp_closing;		/* unloading: no more delivery */

static void pvp_irq_work_fn(struct irq_work *work);
static void pvp_deliver_work_fn(struct work_struct *work);
static struct irq_work pvp_irq_work = IRQ_WORK_INIT(pvp_irq_work_fn);
static DECLARE_WORK(pvp_deliver_work, pvp_deliver_work_fn);

static const char *pvp_str(const char *s)
{
	return s ?: "?";
}

/* One parsable console line per event, for a harness reading the serial port. */
static void pvp_console_event(const struct pvpanic_sim_event_rec *rec)
{
	const char *name = pvp_str(pvpanic_sim_event_str(rec->event));
	const char *status = pvp_str(pvpanic_sim_run_state_str(rec->status));

	switch (rec->event) {
	case PVPANIC_SIM_EVENT_GUEST_PANICKED:
	case PVPANIC_SIM_EVENT_GUEST_CRASHLOADED:
		pr_emerg("event seq=%llu %s action=%s value=%#x status=%s\n",
			 rec->seq, name,
			 pvp_str(pvpanic_sim_guest_panic_action_str(rec->action)),
			 rec->value, status);
		break;
	case PVPANIC_SIM_EVENT_SHUTDOWN:
	case PVPANIC_SIM_EVENT_RESET:
		pr_emerg("event seq=%llu %s guest=%s reason=%s value=%#x status=%s\n",
			 rec->seq, name, rec->guest ? "true" : "false",
			 pvp_str(pvpanic_sim_shutdown_cause_str(rec->reason)),
			 rec->value, status);
		break;
	default:
		pr_emerg("event seq=%llu %s value=%#x status=%s\n", rec->seq,
			 name, rec->value, status);
		break;
	}
}

/* Called with pvpanic_sim_lock held; @status is the state after the event. */
void pvpanic_sim_record(u8 event, u32 device, u8 value, u8 action,
			bool guest, u8 reason, u32 status)
{
	struct pvpanic_sim_event_rec rec = {
		.seq = atomic64_inc_return(&pvp_seq),
		.timestamp_ns = ktime_get_real_fast_ns(),
		.device = device,
		.event = event,
		.action = action,
		.reason = reason,
		.guest = guest,
		.status = status,
		.value = value,
	};

	lockdep_assert_held(&pvpanic_sim_lock);
	if (pvp_ring_count == pvp_ring_size) {
		atomic64_inc(&pvp_lost);
	} else {
		rec.lost = atomic64_read(&pvp_lost);
		pvp_ring[(pvp_ring_head + pvp_ring_count) % pvp_ring_size] = rec;
		pvp_ring_count++;
	}

	/* In a real panic nothing will deliver the ring: tell the console. */
	if (oops_in_progress)
		pvp_console_event(&rec);
}

/* An event that could not get the lock: numbered, and counted lost. */
void pvpanic_sim_record_lost(void)
{
	atomic64_inc(&pvp_seq);
	atomic64_inc(&pvp_lost);
}

/* Any context: schedule the delivery. */
void pvpanic_sim_events_kick(void)
{
	irq_work_queue(&pvp_irq_work);
}

static void pvp_irq_work_fn(struct irq_work *work)
{
	/*
	 * Unbound: the CPU that wrote the port may stay busy (a guest
	 * writing events back to back); another CPU drains the ring meanwhile.
	 */
	if (!READ_ONCE(pvp_closing))
		queue_work(system_unbound_wq, &pvp_deliver_work);
}

static void pvp_deliver_work_fn(struct work_struct *work)
{
	struct pvpanic_sim_event_rec rec;
	unsigned long flags;

	for (;;) {
		raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
		if (pvp_hold || !pvp_ring_count) {
			raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
			break;
		}
		rec = pvp_ring[pvp_ring_head];
		pvp_ring_head = (pvp_ring_head + 1) % pvp_ring_size;
		pvp_ring_count--;
		atomic_inc(&pvp_sending);	/* with the pop, under the lock */
		raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);

		if (pvpanic_sim_nl_has_listeners())
			pvpanic_sim_nl_send_event(&rec);
		atomic_dec(&pvp_sending);
	}
}

void pvpanic_sim_events_hold(bool hold)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	pvp_hold = hold;
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	if (!hold)
		pvpanic_sim_events_kick();
}

bool pvpanic_sim_events_held(void)
{
	return READ_ONCE(pvp_hold);
}

/*
 * Events not delivered yet: in the ring, or taken from it and not yet
 * multicast.  Tests wait for 0 before subscribing, so that a new listener
 * gets no event of an earlier step.
 */
unsigned int pvpanic_sim_events_pending(void)
{
	unsigned long flags;
	unsigned int n;

	raw_spin_lock_irqsave(&pvpanic_sim_lock, flags);
	n = pvp_ring_count + atomic_read(&pvp_sending);
	raw_spin_unlock_irqrestore(&pvpanic_sim_lock, flags);
	return n;
}

u64 pvpanic_sim_events_seq(void)
{
	return atomic64_read(&pvp_seq);
}

u64 pvpanic_sim_events_lost(void)
{
	return atomic64_read(&pvp_lost);
}

/* Allocated here, once: recording an event never allocates. */
int pvpanic_sim_events_init(unsigned int ring_size)
{
	pvp_ring = kvcalloc(ring_size, sizeof(*pvp_ring), GFP_KERNEL);
	if (!pvp_ring)
		return -ENOMEM;
	pvp_ring_size = ring_size;
	return 0;
}

/* No delivery after this; a command may still queue the irq_work, so twice. */
void pvpanic_sim_events_stop(void)
{
	WRITE_ONCE(pvp_closing, true);
	irq_work_sync(&pvp_irq_work);
	cancel_work_sync(&pvp_deliver_work);
}

void pvpanic_sim_events_exit(void)
{
	pvpanic_sim_events_stop();
	kvfree(pvp_ring);
}
