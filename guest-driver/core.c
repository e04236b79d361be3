// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi core: the bound devices, the panic notifier, the power-off
 * handler, sysfs, and the debugfs test trigger.  Nothing here evaluates
 * AML: the panic path writes the anchors the front end chose, and calls the
 * front end's live method only when the user asked for it (policy=acpi).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kexec.h>
#include <linux/kstrtox.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/rculist.h>
#include <linux/reboot.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "pvpanic_acpi.h"

/*
 * The panic notifier and the power-off handler walk the list under RCU and
 * never wait; adds and removals serialise on the mutex.
 */
static LIST_HEAD(pvpanic_acpi_list);
static DEFINE_MUTEX(pvpanic_acpi_list_lock);
static struct dentry *pvpanic_acpi_dbg_root;

/* The port and memory writes: no lock, no allocation, no AML. */
void pvpanic_acpi_write_anchors(struct pvpanic_acpi *pa, u8 event)
{
	unsigned int i;

	for (i = 0; i < pa->nr_anchors; i++)
		iowrite8(event, pa->anchor[i]);
}

static void pvpanic_acpi_send(struct pvpanic_acpi *pa, u8 event)
{
	if (!(event & pa->capability & READ_ONCE(pa->events)))
		return;
	if (pa->live && pa->live(pa, event))
		return;
	pvpanic_acpi_write_anchors(pa, event);
}

/*
 * With a crash kernel loaded the guest handles the panic itself, so the
 * host is told CRASH_LOADED and never PANICKED.
 */
static u8 pvpanic_acpi_panic_event(void)
{
	return kexec_crash_loaded() ? PVPANIC_CRASH_LOADED : PVPANIC_PANICKED;
}

static int pvpanic_acpi_panic_notify(struct notifier_block *nb,
				     unsigned long code, void *unused)
{
	u8 event = pvpanic_acpi_panic_event();
	struct pvpanic_acpi *pa;

	rcu_read_lock();
	list_for_each_entry_rcu(pa, &pvpanic_acpi_list, list)
		pvpanic_acpi_send(pa, event);
	rcu_read_unlock();
	return NOTIFY_DONE;
}

/* First in the chain: later notifiers may hang, the host should know by then. */
static struct notifier_block pvpanic_acpi_panic_nb = {
	.notifier_call = pvpanic_acpi_panic_notify,
	.priority = INT_MAX,
};

/*
 * Power-off of last resort, one handler for every device: it runs late,
 * with interrupts off, only when no firmware method (ACPI S5) powered the
 * machine off first.  Anchors only, never AML, whatever the policy.
 */
static int pvpanic_acpi_sys_off(struct sys_off_data *unused)
{
	struct pvpanic_acpi *pa;

	rcu_read_lock();
	list_for_each_entry_rcu(pa, &pvpanic_acpi_list, list)
		if (pa->capability & READ_ONCE(pa->events) & PVPANIC_SHUTDOWN)
			pvpanic_acpi_write_anchors(pa, PVPANIC_SHUTDOWN);
	rcu_read_unlock();
	return NOTIFY_DONE;
}

/*
 * A priority other than SYS_OFF_PRIO_DEFAULT must be unique in the chain,
 * and upstream pvpanic (Linux 6.10+) holds SYS_OFF_PRIO_LOW: take the one
 * just above it, so that both drivers can be loaded.
 */
#define PVPANIC_ACPI_SYS_OFF_PRIO	(SYS_OFF_PRIO_LOW + 1)

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
 * "panic" runs the panic notifier as panic() runs it, "shutdown" the
 * power-off handler as the power-off chain does: interrupts off.  Live
 * WRPT (policy=acpi) is evaluated first, in process context: ACPICA takes
 * sleeping locks, which a debug kernel rightly reports with interrupts off.
 */
static ssize_t trigger_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct pvpanic_acpi *pa;
	unsigned long flags;
	char buf[16];
	bool panic;
	u8 event;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sysfs_streq(buf, "panic") || sysfs_streq(buf, "1"))
		panic = true;
	else if (sysfs_streq(buf, "shutdown"))
		panic = false;
	else
		return -EINVAL;
	event = pvpanic_acpi_panic_event();

	mutex_lock(&pvpanic_acpi_list_lock);
	if (panic)
		list_for_each_entry(pa, &pvpanic_acpi_list, list)
			if (pa->live)
				pvpanic_acpi_send(pa, event);
	local_irq_save(flags);
	if (panic) {
		list_for_each_entry(pa, &pvpanic_acpi_list, list)
			if (!pa->live)
				pvpanic_acpi_send(pa, event);
	} else {
		pvpanic_acpi_sys_off(NULL);
	}
	local_irq_restore(flags);
	mutex_unlock(&pvpanic_acpi_list_lock);
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
	struct pvpanic_acpi *pa = m->private;

	seq_printf(m, "%s\nlearned: %s\nwhy: %s\n", pa->path, pa->learned,
		   pa->why);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(path);

static void pvpanic_acpi_del(void *data)
{
	struct pvpanic_acpi *pa = data;

	debugfs_remove_recursive(pa->debugfs);
	mutex_lock(&pvpanic_acpi_list_lock);
	list_del_rcu(&pa->list);
	mutex_unlock(&pvpanic_acpi_list_lock);
	/* The panic notifier and the power-off handler walk it under RCU. */
	synchronize_rcu();
}

/* Publish a probed device; undone by devres on unbind. */
int pvpanic_acpi_add(struct pvpanic_acpi *pa)
{
	pa->debugfs = debugfs_create_dir(dev_name(pa->dev),
					 pvpanic_acpi_dbg_root);
	debugfs_create_file("path", 0400, pa->debugfs, pa, &path_fops);

	mutex_lock(&pvpanic_acpi_list_lock);
	list_add_tail_rcu(&pa->list, &pvpanic_acpi_list);
	mutex_unlock(&pvpanic_acpi_list_lock);

	return devm_add_action_or_reset(pa->dev, pvpanic_acpi_del, pa);
}

static struct sys_off_handler *pvpanic_acpi_sys_off_handler;

int pvpanic_acpi_core_init(void)
{
	struct sys_off_handler *h;
	int ret;

	ret = atomic_notifier_chain_register(&panic_notifier_list,
					     &pvpanic_acpi_panic_nb);
	if (ret)
		return ret;
	h = register_sys_off_handler(SYS_OFF_MODE_POWER_OFF,
				     PVPANIC_ACPI_SYS_OFF_PRIO,
				     pvpanic_acpi_sys_off, NULL);
	if (IS_ERR(h)) {
		atomic_notifier_chain_unregister(&panic_notifier_list,
						 &pvpanic_acpi_panic_nb);
		pr_err("cannot register the power-off handler at priority %d: %pe\n",
		       PVPANIC_ACPI_SYS_OFF_PRIO, h);
		return PTR_ERR(h);
	}
	pvpanic_acpi_sys_off_handler = h;
	pvpanic_acpi_dbg_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("trigger", 0200, pvpanic_acpi_dbg_root, NULL,
			    &pvpanic_acpi_trigger_fops);
	return 0;
}

void pvpanic_acpi_core_exit(void)
{
	debugfs_remove_recursive(pvpanic_acpi_dbg_root);
	unregister_sys_off_handler(pvpanic_acpi_sys_off_handler);
	atomic_notifier_chain_unregister(&panic_notifier_list,
					 &pvpanic_acpi_panic_nb);
}
