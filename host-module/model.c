// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim: an in-kernel model of QEMU 7.2's pvpanic device.
 *
 * The module loads an SSDT (acpi/pvpanic-sim.asl) describing a QEMU0001
 * device whose RDPT/WRPT methods access an OperationRegion in the OEM
 * address space 0x80.  The handler of that space is the device model: a
 * read returns the capability, a write is decoded as QEMU's pvpanic does
 * and moves the QMP run state.  Events go into a fixed ring and are
 * delivered later to the "events" group of the pvpanic_sim generic netlink
 * family.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "aml_tables.h"
#include "pvpanic_sim.h"

#define PVP_SPACE_ID		0x80	/* OEM address space served here */
#define PVP_REG_STRIDE		0x10	/* one block of registers per device */
#define PVP_REG_PORT		0x00	/* the pvpanic port */
#define PVP_REG_SCRATCH		0x08	/* plain memory, for multi_store */
#define PVP_REG_FAIL		0x0f	/* every access fails */
#define PVP_MAX_DEVICES		2
#define PVP_RING_MIN		16
#define PVP_RING_MAX		65536
#define PVP_LOCK_TRIES		1000	/* x 1 us: bound on waiting for the lock */

#define PVPANIC_PANICKED	BIT(0)
#define PVPANIC_CRASH_LOADED	BIT(1)

static char *variant = "default";
module_param(variant, charp, 0444);
MODULE_PARM_DESC(variant, "SSDT variant to load (default, no_rdpt, rdpt_string, rdpt_buffer, rdpt_big, rdpt_fail, no_wrpt, wrpt_fail, sta0, no_crs, two_devices, multi_store; aimed at QEMU's device: io_parent, io_debug_real, io_stale_crs, io_read_first, io_rdpt_big, mem)");

static uint capability = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED;
module_param(capability, uint, 0444);
MODULE_PARM_DESC(capability, "Value a read of the port returns, 0..255 (QEMU's events property, default 3)");

/*
 * 1024, not fewer: under TCG the delivery work can wait tens of milliseconds
 * for a CPU, and make bench saw a 64-entry ring overflow at 10k events/s.
 */
static uint ring_size = 1024;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Events held for delivery, 16..65536 (default 1024); more are counted lost");

static char *panic_action = "shutdown";
module_param(panic_action, charp, 0444);
MODULE_PARM_DESC(panic_action, "Action on a guest panic: pause, shutdown (default), exit-failure, none");

static const char *const pvp_device_paths[PVP_MAX_DEVICES] = {
	"\\_SB.PEVT", "\\_SB.PEV1",
};

static const char *const pvp_panic_action_names[] = {
	[PVPANIC_SIM_PANIC_ACTION_PAUSE] = "pause",
	[PVPANIC_SIM_PANIC_ACTION_SHUTDOWN] = "shutdown",
	[PVPANIC_SIM_PANIC_ACTION_EXIT_FAILURE] = "exit-failure",
	[PVPANIC_SIM_PANIC_ACTION_NONE] = "none",
};

static const char *const pvp_event_names[] = {
	[PVPANIC_SIM_EVENT_GUEST_PANICKED] = "GUEST_PANICKED",
	[PVPANIC_SIM_EVENT_GUEST_CRASHLOADED] = "GUEST_CRASHLOADED",
	[PVPANIC_SIM_EVENT_STOP] = "STOP",
	[PVPANIC_SIM_EVENT_RESUME] = "RESUME",
	[PVPANIC_SIM_EVENT_SHUTDOWN] = "SHUTDOWN",
	[PVPANIC_SIM_EVENT_RESET] = "RESET",
};

static const char *const pvp_guest_action_names[] = {
	[PVPANIC_SIM_GUEST_PANIC_ACTION_PAUSE] = "pause",
	[PVPANIC_SIM_GUEST_PANIC_ACTION_POWEROFF] = "poweroff",
	[PVPANIC_SIM_GUEST_PANIC_ACTION_RUN] = "run",
};

static const char *const pvp_shutdown_cause_names[] = {
	[PVPANIC_SIM_SHUTDOWN_CAUSE_NONE] = "none",
	[PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
	[PVPANIC_SIM_SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
};

static const char *const pvp_run_state_names[] = {
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
	[PVPANIC_SIM_RUN_STATE_PRECONFIG] = "preconfig",
};

/*
 * Everything below pvp_lock is touched by the region handler, which may run
 * in panic context: the lock is a raw spinlock that the handler only ever
 * trylocks (bounded), and nothing under it sleeps or allocates.
 */
static DEFINE_RAW_SPINLOCK(pvp_lock);
static u32 pvp_run_state = PVPANIC_SIM_RUN_STATE_RUNNING;
static u32 pvp_panic_action = PVPANIC_SIM_PANIC_ACTION_SHUTDOWN;
static struct pvpanic_sim_event_rec *pvp_ring;	/* ring_size entries */
static unsigned int pvp_ring_head, pvp_ring_count;
static atomic_t pvp_sending = ATOMIC_INIT(0);	/* popped, not multicast */
static bool pvp_hold;			/* debugfs: keep events in the ring */

/* Lock-free: the handler must account for events even without the lock. */
static u32 pvp_capability;
static atomic64_t pvp_seq = ATOMIC64_INIT(0);
static atomic64_t pvp_lost = ATOMIC64_INIT(0);
static atomic_t pvp_unknown_logged = ATOMIC_INIT(0);
static u8 pvp_scratch[PVP_MAX_DEVICES];

static bool pvp_closing;		/* unloading: no more delivery */
static void pvp_irq_work_fn(struct irq_work *work);
static void pvp_deliver_work_fn(struct work_struct *work);
static struct irq_work pvp_irq_work = IRQ_WORK_INIT(pvp_irq_work_fn);
static DECLARE_WORK(pvp_deliver_work, pvp_deliver_work_fn);

static const struct pvpanic_sim_table *pvp_table;
static u32 pvp_table_index;
static unsigned int pvp_nr_devices;
static struct dentry *pvp_debugfs;

static const char *pvp_name(const char *const *names, size_t n, u32 i)
{
	return i < n && names[i] ? names[i] : "?";
}

/* One parsable console line per event, for a harness reading the serial port. */
static void pvp_console_event(const struct pvpanic_sim_event_rec *rec)
{
	const char *name = pvp_name(pvp_event_names,
				    ARRAY_SIZE(pvp_event_names), rec->event);
	const char *status = pvp_name(pvp_run_state_names,
				      ARRAY_SIZE(pvp_run_state_names),
				      rec->status);

	switch (rec->event) {
	case PVPANIC_SIM_EVENT_GUEST_PANICKED:
	case PVPANIC_SIM_EVENT_GUEST_CRASHLOADED:
		pr_emerg("event seq=%llu %s action=%s value=%#x status=%s\n",
			 rec->seq, name,
			 pvp_name(pvp_guest_action_names,
				  ARRAY_SIZE(pvp_guest_action_names),
				  rec->action),
			 rec->value, status);
		break;
	case PVPANIC_SIM_EVENT_SHUTDOWN:
	case PVPANIC_SIM_EVENT_RESET:
		pr_emerg("event seq=%llu %s guest=%s reason=%s value=%#x status=%s\n",
			 rec->seq, name, rec->guest ? "true" : "false",
			 pvp_name(pvp_shutdown_cause_names,
				  ARRAY_SIZE(pvp_shutdown_cause_names),
				  rec->reason),
			 rec->value, status);
		break;
	default:
		pr_emerg("event seq=%llu %s value=%#x status=%s\n", rec->seq,
			 name, rec->value, status);
		break;
	}
}

/* Called with pvp_lock held. */
static void pvp_record(u8 event, u32 device, u8 value, u8 action, bool guest,
		       u8 reason)
{
	struct pvpanic_sim_event_rec rec = {
		.seq = atomic64_inc_return(&pvp_seq),
		.timestamp_ns = ktime_get_real_fast_ns(),
		.device = device,
		.event = event,
		.action = action,
		.reason = reason,
		.guest = guest,
		.status = pvp_run_state,
		.value = value,
	};

	if (pvp_ring_count == ring_size) {
		atomic64_inc(&pvp_lost);
	} else {
		rec.lost = atomic64_read(&pvp_lost);
		pvp_ring[(pvp_ring_head + pvp_ring_count) % ring_size] = rec;
		pvp_ring_count++;
	}

	/* In a real panic nothing will deliver the ring: tell the console. */
	if (oops_in_progress)
		pvp_console_event(&rec);
}

/* QEMU's vm_stop(): acts, and sends STOP, only when running. */
static void pvp_vm_stop(u32 state, u32 device, u8 value)
{
	if (pvp_run_state != PVPANIC_SIM_RUN_STATE_RUNNING)
		return;
	pvp_run_state = state;
	pvp_record(PVPANIC_SIM_EVENT_STOP, device, value, 0, false, 0);
}

/* QEMU's qemu_system_guest_panicked(), called with pvp_lock held. */
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

/* A write to the port of @device: QEMU's pvpanic handle_event(). */
static void pvp_port_write(u32 device, u8 value)
{
	unsigned long flags;
	int i;

	if ((value & ~(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)) &&
	    !atomic_xchg(&pvp_unknown_logged, 1))
		pr_warn("unknown event %#x\n", value);

	if (!(value & (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)))
		return;

	/*
	 * Never wait unboundedly: in a panic the holder may be a CPU that
	 * was stopped with the lock held.  Give up after about 1 ms and
	 * account the event as lost.
	 */
	for (i = 0; i < PVP_LOCK_TRIES; i++) {
		if (raw_spin_trylock_irqsave(&pvp_lock, flags)) {
			if (value & PVPANIC_PANICKED)
				pvp_guest_panicked(device, value);
			else
				pvp_record(PVPANIC_SIM_EVENT_GUEST_CRASHLOADED,
					   device, value,
					   PVPANIC_SIM_GUEST_PANIC_ACTION_RUN,
					   false, 0);
			raw_spin_unlock_irqrestore(&pvp_lock, flags);
			irq_work_queue(&pvp_irq_work);
			return;
		}
		udelay(1);
	}
	atomic64_inc(&pvp_seq);
	atomic64_inc(&pvp_lost);
}

static acpi_status pvp_region_handler(u32 function,
				      acpi_physical_address address,
				      u32 bit_width, u64 *value,
				      void *handler_context,
				      void *region_context)
{
	u32 device = address / PVP_REG_STRIDE;
	u32 reg = address % PVP_REG_STRIDE;
	bool write = (function & ACPI_IO_MASK) == ACPI_WRITE;

	if (bit_width != 8 || device >= pvp_nr_devices)
		return AE_BAD_PARAMETER;

	switch (reg) {
	case PVP_REG_PORT:
		if (write)
			pvp_port_write(device, *value & 0xff);
		else
			*value = READ_ONCE(pvp_capability);
		return AE_OK;
	case PVP_REG_SCRATCH:
		if (write)
			WRITE_ONCE(pvp_scratch[device], *value & 0xff);
		else
			*value = READ_ONCE(pvp_scratch[device]);
		return AE_OK;
	case PVP_REG_FAIL:
		return AE_ERROR;
	default:
		return AE_BAD_ADDRESS;
	}
}

static acpi_status pvp_region_setup(acpi_handle region, u32 function,
				    void *handler_context, void **region_context)
{
	*region_context = function == ACPI_REGION_DEACTIVATE ?
			  NULL : handler_context;
	return AE_OK;
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
		raw_spin_lock_irqsave(&pvp_lock, flags);
		if (pvp_hold || !pvp_ring_count) {
			raw_spin_unlock_irqrestore(&pvp_lock, flags);
			break;
		}
		rec = pvp_ring[pvp_ring_head];
		pvp_ring_head = (pvp_ring_head + 1) % ring_size;
		pvp_ring_count--;
		atomic_inc(&pvp_sending);	/* with the pop, under the lock */
		raw_spin_unlock_irqrestore(&pvp_lock, flags);

		if (pvpanic_sim_nl_has_listeners())
			pvpanic_sim_nl_send_event(&rec);
		atomic_dec(&pvp_sending);
	}
}

/* Control interface used by netlink.c (process context). */

void pvpanic_sim_get_status(struct pvpanic_sim_status *st)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	st->status = pvp_run_state;
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	st->running = st->status == PVPANIC_SIM_RUN_STATE_RUNNING;
}

void pvpanic_sim_get_config(struct pvpanic_sim_config *cfg)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	cfg->panic_action = pvp_panic_action;
	cfg->capability = READ_ONCE(pvp_capability);
	cfg->seq = atomic64_read(&pvp_seq);
	cfg->lost = atomic64_read(&pvp_lost);
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
}

void pvpanic_sim_set_config(const u32 *cap, const u32 *action)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	if (cap)
		WRITE_ONCE(pvp_capability, *cap);
	if (action)
		pvp_panic_action = *action;
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
}

/* QMP stop: vm_stop(RUN_STATE_PAUSED). */
void pvpanic_sim_stop(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	pvp_vm_stop(PVPANIC_SIM_RUN_STATE_PAUSED, PVPANIC_SIM_NO_DEVICE, 0);
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	irq_work_queue(&pvp_irq_work);
}

/* QMP cont: refused when a reset is needed, else vm_start(). */
int pvpanic_sim_cont(struct netlink_ext_ack *extack)
{
	unsigned long flags;
	int ret = 0;

	raw_spin_lock_irqsave(&pvp_lock, flags);
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
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	irq_work_queue(&pvp_irq_work);
	return ret;
}

/* QMP system_reset: RESET, then prelaunch unless running (main loop). */
void pvpanic_sim_system_reset(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	/* Events carry the state their own transition leads to. */
	if (pvp_run_state != PVPANIC_SIM_RUN_STATE_RUNNING &&
	    pvp_run_state != PVPANIC_SIM_RUN_STATE_INMIGRATE &&
	    pvp_run_state != PVPANIC_SIM_RUN_STATE_FINISH_MIGRATE)
		pvp_run_state = PVPANIC_SIM_RUN_STATE_PRELAUNCH;
	pvp_record(PVPANIC_SIM_EVENT_RESET, PVPANIC_SIM_NO_DEVICE, 0, 0, false,
		   PVPANIC_SIM_SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	irq_work_queue(&pvp_irq_work);
}

/* debugfs (root only, test use): evaluate RDPT/WRPT through the AML. */

static int pvp_dbg_handle(struct file *file, acpi_handle *handle)
{
	uintptr_t dev = (uintptr_t)file->private_data;

	if (ACPI_FAILURE(acpi_get_handle(NULL, (char *)pvp_device_paths[dev],
					 handle)))
		return -ENODEV;
	return 0;
}

static ssize_t pvp_dbg_wrpt_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	unsigned int value, count = 1, i;
	acpi_handle handle;
	char buf[32];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = sscanf(buf, "%i %u", &value, &count);
	if (ret < 1 || value > 0xff || !count || count > 100000)
		return -EINVAL;
	ret = pvp_dbg_handle(file, &handle);
	if (ret)
		return ret;
	if (!acpi_has_method(handle, "WRPT"))
		return -ENOENT;
	for (i = 0; i < count; i++) {
		if (ACPI_FAILURE(acpi_execute_simple_method(handle, "WRPT",
							    value)))
			return -EIO;
		cond_resched();
	}
	return len;
}

static ssize_t pvp_dbg_rdpt_read(struct file *file, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	unsigned long long value;
	acpi_handle handle;
	char buf[32];
	int ret, n;

	ret = pvp_dbg_handle(file, &handle);
	if (ret)
		return ret;
	if (ACPI_FAILURE(acpi_evaluate_integer(handle, "RDPT", NULL, &value)))
		return -EIO;
	n = scnprintf(buf, sizeof(buf), "%llu\n", value);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations pvp_dbg_wrpt_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pvp_dbg_wrpt_write,
};

static const struct file_operations pvp_dbg_rdpt_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = pvp_dbg_rdpt_read,
};

static int pvp_dbg_hold_get(void *data, u64 *val)
{
	*val = READ_ONCE(pvp_hold);
	return 0;
}

static int pvp_dbg_hold_set(void *data, u64 val)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	pvp_hold = !!val;
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	if (!val)
		irq_work_queue(&pvp_irq_work);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(pvp_dbg_hold_fops, pvp_dbg_hold_get, pvp_dbg_hold_set,
			 "%llu\n");

/*
 * Events not delivered yet: in the ring, or taken from it and not yet
 * multicast.  Tests wait for 0 before subscribing, so that a new listener
 * gets no event of an earlier step.
 */
static int pvp_dbg_pending_get(void *data, u64 *val)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&pvp_lock, flags);
	*val = pvp_ring_count + atomic_read(&pvp_sending);
	raw_spin_unlock_irqrestore(&pvp_lock, flags);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(pvp_dbg_pending_fops, pvp_dbg_pending_get, NULL,
			 "%llu\n");

static void pvp_debugfs_init(void)
{
	uintptr_t i;
	char name[16];

	pvp_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	for (i = 0; i < pvp_nr_devices; i++) {
		snprintf(name, sizeof(name), i ? "wrpt%lu" : "wrpt",
			 (unsigned long)i);
		debugfs_create_file(name, 0200, pvp_debugfs, (void *)i,
				    &pvp_dbg_wrpt_fops);
		snprintf(name, sizeof(name), i ? "rdpt%lu" : "rdpt",
			 (unsigned long)i);
		debugfs_create_file(name, 0400, pvp_debugfs, (void *)i,
				    &pvp_dbg_rdpt_fops);
	}
	debugfs_create_file_unsafe("hold", 0600, pvp_debugfs, NULL,
				   &pvp_dbg_hold_fops);
	debugfs_create_file_unsafe("pending", 0400, pvp_debugfs, NULL,
				   &pvp_dbg_pending_fops);
	pvpanic_sim_amltest_init(pvp_debugfs);
}

/* The SSDT and the devices the kernel enumerates from it. */

/*
 * The mem variant's SystemMemory region is QEMU's pvpanic-pci register:
 * put the BAR's address in place of the placeholder, and fix the checksum.
 */
#define PVP_MEM_PLACEHOLDER	0x5056504d454d0000ULL

static int pvp_patch_mem(struct acpi_table_header *table)
{
	__le64 want = cpu_to_le64(PVP_MEM_PLACEHOLDER), bar;
	struct pci_dev *pdev;
	u8 *p = (u8 *)table, sum = 0;
	resource_size_t start;
	u32 i;

	pdev = pci_get_device(PCI_VENDOR_ID_REDHAT, 0x0011, NULL);
	if (!pdev) {
		pr_err("variant mem needs QEMU's -device pvpanic-pci\n");
		return -ENODEV;
	}
	start = pci_resource_start(pdev, 0);
	pci_dev_put(pdev);
	if (!start) {
		pr_err("variant mem: pvpanic-pci has no BAR 0\n");
		return -ENODEV;
	}
	bar = cpu_to_le64(start);
	for (i = 0; i + sizeof(want) <= table->length; i++) {
		if (memcmp(p + i, &want, sizeof(want)))
			continue;
		memcpy(p + i, &bar, sizeof(bar));
		table->checksum = 0;
		for (i = 0; i < table->length; i++)
			sum += p[i];
		table->checksum = -sum;
		pr_info("variant mem: register at pvpanic-pci BAR 0, %pa\n",
			&start);
		return 0;
	}
	pr_err("variant mem: no address placeholder in the table\n");
	return -EINVAL;
}

static int pvp_load_table(void)
{
	struct acpi_table_header *copy, *installed;
	acpi_handle handle;
	acpi_status status;
	unsigned int i;

	/*
	 * ACPICA keeps a pointer to every table it ever installed (an
	 * unloaded table stays in the root table list and is compared
	 * against every later load), so the table must outlive this
	 * module: give ACPICA a copy it can keep.  A reload of the same
	 * variant reuses the copy already installed; ours is then freed.
	 */
	copy = kmemdup(pvp_table->aml, pvp_table->len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	if (!strcmp(pvp_table->name, "mem")) {
		int ret = pvp_patch_mem(copy);

		if (ret) {
			kfree(copy);
			return ret;
		}
	}

	status = acpi_load_table(copy, &pvp_table_index);
	if (ACPI_FAILURE(status)) {
		/* Possibly installed but not loaded: keep the copy. */
		pr_err("cannot load SSDT variant %s: %s\n", pvp_table->name,
		       acpi_format_exception(status));
		return status == AE_ALREADY_EXISTS ? -EEXIST : -EIO;
	}
	if (ACPI_SUCCESS(acpi_get_table_by_index(pvp_table_index,
						 &installed))) {
		if (installed != copy)
			kfree(copy);
		acpi_put_table(installed);
	}

	/*
	 * The kernel enumerates the new devices from a work item; scan them
	 * now so that they exist when the module load returns.
	 */
	acpi_scan_lock_acquire();
	for (i = 0; i < pvp_nr_devices; i++)
		if (ACPI_SUCCESS(acpi_get_handle(NULL,
						 (char *)pvp_device_paths[i],
						 &handle)))
			acpi_bus_scan(handle);
	acpi_scan_lock_release();
	return 0;
}

static void pvp_unload_table(void)
{
	struct acpi_device *adevs[PVP_MAX_DEVICES] = { };
	struct acpi_device *adev;
	acpi_handle handle;
	struct device *dev;
	acpi_status status;
	unsigned int i;
	int tries;

	/*
	 * Unloading a table deletes its namespace nodes; the kernel drops the
	 * ACPI device objects (and their platform devices) later from a work
	 * item, while the node is already gone.  Remove the platform device
	 * first, while drivers bound to it can still evaluate its methods, and
	 * hold the scan lock so that no rescan enumerates it again.
	 */
	acpi_scan_lock_acquire();
	for (i = 0; i < pvp_nr_devices; i++) {
		if (ACPI_FAILURE(acpi_get_handle(NULL,
						 (char *)pvp_device_paths[i],
						 &handle)))
			continue;
		adev = acpi_fetch_acpi_dev(handle);
		if (!adev)
			continue;
		adevs[i] = acpi_dev_get(adev);
		dev = bus_find_device_by_acpi_dev(&platform_bus_type, adev);
		if (dev) {
			platform_device_unregister(to_platform_device(dev));
			put_device(dev);
		}
		acpi_bus_trim(adev);
	}
	status = acpi_unload_table(pvp_table_index);
	acpi_scan_lock_release();
	if (ACPI_FAILURE(status))
		pr_err("cannot unload SSDT: %s\n",
		       acpi_format_exception(status));

	/* Wait for the kernel to drop the ACPI device objects. */
	for (i = 0; i < pvp_nr_devices; i++) {
		if (!adevs[i])
			continue;
		for (tries = 0; tries < 250; tries++) {
			if (!device_is_registered(&adevs[i]->dev))
				break;
			msleep(20);
		}
		if (device_is_registered(&adevs[i]->dev))
			pr_warn("ACPI device %s still registered\n",
				dev_name(&adevs[i]->dev));
		acpi_dev_put(adevs[i]);
	}
}

static int __init pvp_parse_params(void)
{
	int i;

	pvp_table = pvpanic_sim_find_table(variant);
	if (!pvp_table) {
		pr_err("unknown variant=%s\n", variant);
		return -EINVAL;
	}
	pvp_nr_devices = strcmp(variant, "two_devices") ? 1 : 2;

	if (capability > 0xff) {
		pr_err("capability=%u out of range 0..255\n", capability);
		return -EINVAL;
	}
	pvp_capability = capability;

	if (ring_size < PVP_RING_MIN || ring_size > PVP_RING_MAX) {
		pr_err("ring_size=%u out of range %u..%u\n", ring_size,
		       PVP_RING_MIN, PVP_RING_MAX);
		return -EINVAL;
	}

	i = match_string(pvp_panic_action_names,
			 ARRAY_SIZE(pvp_panic_action_names), panic_action);
	if (i < 0) {
		pr_err("unknown panic_action=%s\n", panic_action);
		return -EINVAL;
	}
	pvp_panic_action = i;
	return 0;
}

static int __init pvp_init(void)
{
	acpi_status status;
	int ret;

	if (acpi_disabled)
		return -ENODEV;

	ret = pvp_parse_params();
	if (ret)
		return ret;

	/* Allocated here, once: recording an event never allocates. */
	pvp_ring = kvcalloc(ring_size, sizeof(*pvp_ring), GFP_KERNEL);
	if (!pvp_ring)
		return -ENOMEM;

	ret = pvpanic_sim_nl_init();
	if (ret)
		goto err_ring;

	status = acpi_install_address_space_handler(ACPI_ROOT_OBJECT,
						    PVP_SPACE_ID,
						    pvp_region_handler,
						    pvp_region_setup, NULL);
	if (ACPI_FAILURE(status)) {
		pr_err("cannot install OEM space handler: %s\n",
		       acpi_format_exception(status));
		ret = -EBUSY;
		goto err_nl;
	}

	ret = pvp_load_table();
	if (ret)
		goto err_handler;

	pvp_debugfs_init();
	pr_info("loaded SSDT variant %s, capability %#x, panic action %s\n",
		pvp_table->name, pvp_capability,
		pvp_panic_action_names[pvp_panic_action]);
	return 0;

err_handler:
	acpi_remove_address_space_handler(ACPI_ROOT_OBJECT, PVP_SPACE_ID,
					  pvp_region_handler);
err_nl:
	WRITE_ONCE(pvp_closing, true);
	irq_work_sync(&pvp_irq_work);
	cancel_work_sync(&pvp_deliver_work);
	pvpanic_sim_nl_exit();
err_ring:
	kvfree(pvp_ring);
	return ret;
}

static void __exit pvp_exit(void)
{
	WRITE_ONCE(pvp_closing, true);
	debugfs_remove_recursive(pvp_debugfs);
	pvpanic_sim_amltest_exit();
	pvp_unload_table();
	acpi_remove_address_space_handler(ACPI_ROOT_OBJECT, PVP_SPACE_ID,
					  pvp_region_handler);
	irq_work_sync(&pvp_irq_work);
	cancel_work_sync(&pvp_deliver_work);
	pvpanic_sim_nl_exit();
	/* A command may have queued the irq_work after the first sync. */
	irq_work_sync(&pvp_irq_work);
	cancel_work_sync(&pvp_deliver_work);
	kvfree(pvp_ring);
}

module_init(pvp_init);
module_exit(pvp_exit);

MODULE_DESCRIPTION("Model of QEMU's pvpanic device behind an ACPI OEM region");
MODULE_LICENSE("GPL");
