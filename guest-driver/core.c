// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi core: the list of bound devices, the panic notifier and the
 * three ways of telling the device (replayed WRPT, live WRPT, _CRS port),
 * plus the sysfs and debugfs files.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/hardirq.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kexec.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/rculist.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>

#include "pvpanic_acpi.h"

/*
 * Readers (the panic notifier, the debugfs trigger) walk the list under RCU
 * and never wait; adds and removals serialise on the mutex.
 */
static LIST_HEAD(pvpanic_acpi_list);
static DEFINE_MUTEX(pvpanic_acpi_list_lock);

/*
 * Our own ACPICA use in flight (probe, unbind, debugfs rdpt/wrpt, the kdump
 * report).  The panic path evaluates WRPT live only when it is zero: a panic
 * raised inside one of our own evaluations, or while another (now stopped)
 * CPU is inside one, may find an ACPICA mutex held, and taking it there
 * would hang the panic for good.
 */
static atomic_t pvpanic_acpi_aml_busy = ATOMIC_INIT(0);

static struct dentry *pvpanic_acpi_dbg_root;

void pvpanic_acpi_aml_enter(void)
{
	atomic_inc(&pvpanic_acpi_aml_busy);
}

void pvpanic_acpi_aml_exit(void)
{
	atomic_dec(&pvpanic_acpi_aml_busy);
}

acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value)
{
	acpi_status status;

	atomic_inc(&pvpanic_acpi_aml_busy);
	status = acpi_execute_simple_method(handle, "WRPT", value);
	atomic_dec(&pvpanic_acpi_aml_busy);
	return status;
}

/* Live WRPT from the panic path: refuse rather than risk waiting. */
static bool pvpanic_acpi_send_live(struct pvpanic_acpi *pa, u8 event)
{
	acpi_status status;

	if (in_nmi())
		return false;
	if (atomic_inc_return(&pvpanic_acpi_aml_busy) != 1) {
		atomic_dec(&pvpanic_acpi_aml_busy);
		return false;
	}
	status = acpi_execute_simple_method(pa->handle, "WRPT", event);
	atomic_dec(&pvpanic_acpi_aml_busy);
	return ACPI_SUCCESS(status);
}

static void pvpanic_acpi_send(struct pvpanic_acpi *pa, u8 event)
{
	if (!(event & pa->capability & READ_ONCE(pa->events)))
		return;

	switch (pa->path) {
	case PVPANIC_PATH_REPLAY:
		iowrite8(event, pa->replay_base);
		return;
	case PVPANIC_PATH_LIVE:
		if (pvpanic_acpi_send_live(pa, event))
			return;
		break;
	default:
		break;
	}
	if (pa->port_base)
		iowrite8(event, pa->port_base);
}

/*
 * The panic notifier's body, also run by the debugfs trigger.  With a crash
 * kernel loaded the guest handles the panic itself, so the host is told
 * CRASH_LOADED and never PANICKED; a device or mask without that bit gets
 * nothing.
 */
static u8 pvpanic_acpi_panic_event(void)
{
	return kexec_crash_loaded() ? PVPANIC_CRASH_LOADED : PVPANIC_PANICKED;
}

static void pvpanic_acpi_report(u8 event, bool skip_live)
{
	struct pvpanic_acpi *pa;

	rcu_read_lock();
	list_for_each_entry_rcu(pa, &pvpanic_acpi_list, list)
		if (!skip_live || pa->path != PVPANIC_PATH_LIVE)
			pvpanic_acpi_send(pa, event);
	rcu_read_unlock();
}

void pvpanic_acpi_report_panic(void)
{
	pvpanic_acpi_report(pvpanic_acpi_panic_event(), false);
}

static int pvpanic_acpi_panic_notify(struct notifier_block *nb,
				     unsigned long code, void *unused)
{
	pvpanic_acpi_report_panic();
	return NOTIFY_DONE;
}

/* First in the chain: later notifiers may hang, the host should know by then. */
static struct notifier_block pvpanic_acpi_panic_nb = {
	.notifier_call = pvpanic_acpi_panic_notify,
	.priority = INT_MAX,
};

void pvpanic_acpi_path_name(const struct pvpanic_acpi *pa, char *buf,
			    size_t len)
{
	switch (pa->path) {
	case PVPANIC_PATH_REPLAY:
		snprintf(buf, len, "replay io 0x%llx 8", pa->replay_addr);
		break;
	case PVPANIC_PATH_LIVE:
		snprintf(buf, len, "live");
		break;
	case PVPANIC_PATH_PORT:
		snprintf(buf, len, "port 0x%lx", pa->port);
		break;
	default:
		snprintf(buf, len, "none");
		break;
	}
}

/* sysfs, the same names and formats as upstream pvpanic */

static ssize_t capability_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct pvpanic_acpi *pa = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%x\n", pa->capability);
}
static DEVICE_ATTR_RO(capability);

static ssize_t events_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct pvpanic_acpi *pa = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%x\n", READ_ONCE(pa->events));
}

static ssize_t events_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	struct pvpanic_acpi *pa = dev_get_drvdata(dev);
	unsigned int mask;

	/* Every malformed value is -EINVAL, including one out of range. */
	if (kstrtouint(buf, 16, &mask) || mask & ~pa->capability)
		return -EINVAL;
	WRITE_ONCE(pa->events, mask);
	return count;
}
static DEVICE_ATTR_RW(events);

static struct attribute *pvpanic_acpi_attrs[] = {
	&dev_attr_capability.attr,
	&dev_attr_events.attr,
	NULL
};

static const struct attribute_group pvpanic_acpi_group = {
	.attrs = pvpanic_acpi_attrs,
};

const struct attribute_group *pvpanic_acpi_groups[] = {
	&pvpanic_acpi_group,
	NULL
};

/* debugfs, root only */

/*
 * The panic notifier's work, run as panic() runs it: interrupts off, under
 * RCU.  Except live WRPT: ACPICA takes sleeping locks, so a debug kernel
 * rightly reports it in that context (in a real panic oops_in_progress
 * silences the check, not the risk; see Known limits in the README).  The
 * trigger evaluates it first, in process context, as debugfs wrpt does.
 */
static ssize_t trigger_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	u8 event = pvpanic_acpi_panic_event();
	struct pvpanic_acpi *pa;
	unsigned long flags;

	mutex_lock(&pvpanic_acpi_list_lock);
	list_for_each_entry(pa, &pvpanic_acpi_list, list)
		if (pa->path == PVPANIC_PATH_LIVE)
			pvpanic_acpi_send(pa, event);
	mutex_unlock(&pvpanic_acpi_list_lock);

	local_irq_save(flags);
	pvpanic_acpi_report(event, true);
	local_irq_restore(flags);
	return count;
}

static const struct file_operations pvpanic_acpi_trigger_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = trigger_write,
	.llseek = noop_llseek,
};

static int path_show(struct seq_file *m, void *unused)
{
	char buf[48];

	pvpanic_acpi_path_name(m->private, buf, sizeof(buf));
	seq_printf(m, "%s\n", buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(path);

static int rdpt_get(void *data, u64 *val)
{
	struct pvpanic_acpi *pa = data;
	unsigned long long value;
	acpi_status status;

	atomic_inc(&pvpanic_acpi_aml_busy);
	status = acpi_evaluate_integer(pa->handle, "RDPT", NULL, &value);
	atomic_dec(&pvpanic_acpi_aml_busy);
	if (ACPI_FAILURE(status))
		return -EIO;
	*val = value;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(rdpt_fops, rdpt_get, NULL, "0x%02llx\n");

static int wrpt_set(void *data, u64 val)
{
	struct pvpanic_acpi *pa = data;

	if (val > 0xff)
		return -EINVAL;
	if (ACPI_FAILURE(pvpanic_acpi_eval_wrpt(pa->handle, val)))
		return -EIO;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wrpt_fops, NULL, wrpt_set, "%llu\n");

static void pvpanic_acpi_del(void *data)
{
	struct pvpanic_acpi *pa = data;

	debugfs_remove_recursive(pa->debugfs);
	mutex_lock(&pvpanic_acpi_list_lock);
	list_del_rcu(&pa->list);
	mutex_unlock(&pvpanic_acpi_list_lock);
	/* The notifier may still be looking at it; it runs in an RCU section. */
	synchronize_rcu();
}

/* Publish a probed device; undone by devres on unbind. */
int pvpanic_acpi_add(struct pvpanic_acpi *pa)
{
	struct dentry *dir;

	mutex_lock(&pvpanic_acpi_list_lock);
	list_add_tail_rcu(&pa->list, &pvpanic_acpi_list);
	mutex_unlock(&pvpanic_acpi_list_lock);

	dir = debugfs_create_dir(dev_name(pa->dev), pvpanic_acpi_dbg_root);
	debugfs_create_file("path", 0400, dir, pa, &path_fops);
	debugfs_create_file_unsafe("rdpt", 0400, dir, pa, &rdpt_fops);
	debugfs_create_file_unsafe("wrpt", 0200, dir, pa, &wrpt_fops);
	pa->debugfs = dir;

	return devm_add_action_or_reset(pa->dev, pvpanic_acpi_del, pa);
}

int pvpanic_acpi_core_init(void)
{
	pvpanic_acpi_dbg_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("trigger", 0200, pvpanic_acpi_dbg_root, NULL,
			    &pvpanic_acpi_trigger_fops);
	return atomic_notifier_chain_register(&panic_notifier_list,
					      &pvpanic_acpi_panic_nb);
}

void pvpanic_acpi_core_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list,
					 &pvpanic_acpi_panic_nb);
	debugfs_remove_recursive(pvpanic_acpi_dbg_root);
}
