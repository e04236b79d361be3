// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi: platform driver for the QEMU0001 ACPI device.
 *
 * Probe maps the _CRS register (an I/O port or memory, as pvpanic-mmio),
 * reads the capability with RDPT (else from that register), learns what
 * WRPT writes (learn.c) and chooses the anchors of the panic path: the
 * learned register, the _CRS register, or both when they disagree, each
 * written only with the bits it advertises itself.  The panic notifier and
 * the power-off handler write them with iowrite8(): no lock, no
 * allocation, no AML (live WRPT only with policy=acpi).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crash_dump.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irqflags.h>
#include <linux/kexec.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/platform_device.h>
#include <linux/rculist.h>
#include <linux/reboot.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include "pvpanic_acpi.h"

enum pvpanic_acpi_policy {
	PVPANIC_POLICY_AUTO,
	PVPANIC_POLICY_ACPI,
	PVPANIC_POLICY_IO,
};

static const char * const pvpanic_acpi_policy_names[] = {
	[PVPANIC_POLICY_AUTO] = "auto",
	[PVPANIC_POLICY_ACPI] = "acpi",
	[PVPANIC_POLICY_IO] = "io",
};

/* One register of the panic path. */
struct pvpanic_acpi_anchor {
	void __iomem *base;
	u64 address;
	u8 mask;			/* the events this register advertises */
	bool replay;			/* the learned WRPT register, else _CRS */
	bool io;
};

struct pvpanic_acpi {
	struct device *dev;
	struct list_head list;		/* on pvpanic_acpi_list, under RCU */
	u8 capability;			/* what the device offers, known bits */
	u8 events;			/* user mask, subset of capability */
	bool live;			/* policy=acpi: live WRPT first */
	bool has_crs;			/* a usable _CRS register */
	enum pvpanic_acpi_policy policy;	/* at this bind */
	struct pvpanic_acpi_learnt learnt;
	unsigned int nr_anchors;
	struct pvpanic_acpi_anchor anchor[2];
	struct dentry *debugfs;
};

/*
 * The panic notifier and the power-off handler walk the list under RCU and
 * never wait; adds, removals, the events masks and the power-off handler's
 * registration serialise on the mutex.
 */
static LIST_HEAD(pvpanic_acpi_list);
static DEFINE_MUTEX(pvpanic_acpi_list_lock);
static struct sys_off_handler *pvpanic_acpi_sys_off_handler;
static struct dentry *pvpanic_acpi_dbg_root;
static enum pvpanic_acpi_policy pvpanic_acpi_policy;

/*
 * policy= picks the panic path of each device at its probe (debugfs
 * <dev>/path says which); writable, for the next bind:
 *  auto: the learned WRPT register, and the _CRS register when it is
 *        another; the _CRS register alone when WRPT was not learned.
 *  acpi: live WRPT first, as the spec intends, at the price of entering
 *        ACPICA in panic context; a CPU stopped inside the interpreter
 *        hangs the panic.  Not panic-safe.  Falls back on auto's anchors.
 *  io:   the _CRS register only, as pvpanic-mmio: no WRPT; the only AML
 *        it runs is RDPT at probe.
 */
static int pvpanic_acpi_policy_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret = sysfs_match_string(pvpanic_acpi_policy_names, val);

	if (ret < 0) {
		pr_err("policy=%s: unknown, use auto, acpi or io\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(pvpanic_acpi_policy, ret);
	return 0;
}

static int pvpanic_acpi_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  pvpanic_acpi_policy_names[READ_ONCE(pvpanic_acpi_policy)]);
}

static const struct kernel_param_ops pvpanic_acpi_policy_ops = {
	.set = pvpanic_acpi_policy_set,
	.get = pvpanic_acpi_policy_get,
};
module_param_cb(policy, &pvpanic_acpi_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "panic path, taken at each bind: auto (learned WRPT register and/or _CRS register, no AML; default), acpi (live WRPT first, not panic-safe), io (_CRS register only, as pvpanic-mmio)");

static bool kdump_report = true;
module_param(kdump_report, bool, 0444);
MODULE_PARM_DESC(kdump_report,
		 "in a kdump kernel, report CRASH_LOADED through WRPT at probe (default on)");

/* The panic path proper: no lock, no allocation, no AML. */
static void pvpanic_acpi_write_anchors(struct pvpanic_acpi *pa, u8 event)
{
	unsigned int i;

	for (i = 0; i < pa->nr_anchors; i++)
		if (event & pa->anchor[i].mask)
			iowrite8(event, pa->anchor[i].base);
}

static void pvpanic_acpi_send(struct pvpanic_acpi *pa, u8 event)
{
	if (!(event & pa->capability & READ_ONCE(pa->events)))
		return;
	if (pa->live && pvpanic_acpi_wrpt_live(ACPI_HANDLE(pa->dev), event))
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

/* SHUTDOWN to every device that would send it; false when none would. */
static bool pvpanic_acpi_send_shutdown(void)
{
	struct pvpanic_acpi *pa;
	bool sent = false;

	rcu_read_lock();
	list_for_each_entry_rcu(pa, &pvpanic_acpi_list, list)
		if (pa->capability & READ_ONCE(pa->events) & PVPANIC_SHUTDOWN) {
			pvpanic_acpi_write_anchors(pa, PVPANIC_SHUTDOWN);
			sent = true;
		}
	rcu_read_unlock();
	return sent;
}

/*
 * How long the power-off handler waits for the host after SHUTDOWN.  QEMU
 * acts on the write from its main loop while the vCPU goes on: without a
 * wait the chain returns first, and a poweroff from PID 1 ends in the
 * kernel's "power-off failed" path (a WARN in do_exit, then PID 1 exits
 * and panics).  ACPICA's S5 waits 10 s for the same reason.
 */
#define PVPANIC_ACPI_SHUTDOWN_WAIT_MS	2000

/*
 * Power-off of last resort, one handler for every device: it runs late,
 * with interrupts off, only when no firmware method (ACPI S5) powered the
 * machine off first.  Anchors only, never AML, whatever the policy; then
 * a bounded wait for the host, after which the chain goes on.
 */
static int pvpanic_acpi_sys_off(struct sys_off_data *unused)
{
	if (!pvpanic_acpi_send_shutdown())
		return NOTIFY_DONE;
	pr_info("SHUTDOWN sent, waiting up to %u ms for the host to power off\n",
		PVPANIC_ACPI_SHUTDOWN_WAIT_MS);
	mdelay(PVPANIC_ACPI_SHUTDOWN_WAIT_MS);
	pr_warn("the host did not power off within %u ms of SHUTDOWN\n",
		PVPANIC_ACPI_SHUTDOWN_WAIT_MS);
	return NOTIFY_DONE;
}

/*
 * A priority other than SYS_OFF_PRIO_DEFAULT must be unique in the chain,
 * and upstream pvpanic (Linux 6.10+) takes SYS_OFF_PRIO_LOW: take the one
 * just above it, so that both drivers can be loaded.
 */
#define PVPANIC_ACPI_SYS_OFF_PRIO	(SYS_OFF_PRIO_LOW + 1)

/*
 * The power-off handler is registered only while some device would send
 * SHUTDOWN, as upstream does: any registered handler makes the kernel
 * take a power-off request for one that something can carry out, so
 * without a handler a poweroff where nothing can power off halts instead
 * of returning (and panicking, when PID 1 asked).  Call after every change
 * of the list or of an events mask.
 */
static void pvpanic_acpi_sync_sys_off(void)
{
	struct sys_off_handler *h;
	struct pvpanic_acpi *pa;
	bool need = false;

	lockdep_assert_held(&pvpanic_acpi_list_lock);
	list_for_each_entry(pa, &pvpanic_acpi_list, list)
		need |= pa->capability & pa->events & PVPANIC_SHUTDOWN;
	if (need == !!pvpanic_acpi_sys_off_handler)
		return;
	if (!need) {
		unregister_sys_off_handler(pvpanic_acpi_sys_off_handler);
		pvpanic_acpi_sys_off_handler = NULL;
		return;
	}
	h = register_sys_off_handler(SYS_OFF_MODE_POWER_OFF,
				     PVPANIC_ACPI_SYS_OFF_PRIO,
				     pvpanic_acpi_sys_off, NULL);
	if (IS_ERR(h)) {
		pr_warn("cannot register the power-off handler at priority %d (%pe): SHUTDOWN will not be sent\n",
			PVPANIC_ACPI_SYS_OFF_PRIO, h);
		return;
	}
	pvpanic_acpi_sys_off_handler = h;
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
	int ret;

	ret = kstrtouint(buf, 16, &mask);
	if (ret)
		return ret;
	if (mask & ~pa->capability)
		return -EINVAL;
	mutex_lock(&pvpanic_acpi_list_lock);
	WRITE_ONCE(pa->events, mask);
	pvpanic_acpi_sync_sys_off();
	mutex_unlock(&pvpanic_acpi_list_lock);
	return count;
}
static DEVICE_ATTR_RW(events);

static struct attribute *pvpanic_acpi_attrs[] = {
	&dev_attr_capability.attr,
	&dev_attr_events.attr,
	NULL
};
ATTRIBUTE_GROUPS(pvpanic_acpi);

/* debugfs, root only */

/*
 * "panic" runs the panic notifier as panic() runs it, "shutdown" sends as
 * the power-off handler does, without its wait for the host: interrupts
 * off.  Live WRPT (policy=acpi) is evaluated first, in process context:
 * ACPICA takes sleeping locks, which a debug kernel rightly reports with
 * interrupts off.
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
		pvpanic_acpi_send_shutdown();
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

/*
 * A memory register must not be RAM: ioremap() warns on RAM (a panic with
 * panic_on_warn), and a store there corrupts memory.
 */
static bool pvpanic_acpi_is_ram(u64 address, u64 size)
{
	return region_intersects(address, size, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

static const char * const pvpanic_acpi_learnt_text[PVPANIC_LEARN_NR] = {
	[PVPANIC_LEARN_NO_WRPT] = "no WRPT method",
	[PVPANIC_LEARN_POLICY_IO] = "nothing (policy=io evaluates no WRPT)",
	[PVPANIC_LEARN_RECIPE] = "WRPT(0) stores 0 to",
	/* a region outside the device, or a space other than IO and memory */
	[PVPANIC_LEARN_UNSEEN] = "WRPT made no access this driver can see",
	[PVPANIC_LEARN_NOT_ONE_STORE] = "WRPT(0) is not one byte store of 0 (see the log)",
	[PVPANIC_LEARN_FAILED] = "WRPT(0) failed (see the log)",
	[PVPANIC_LEARN_BLOCKED] = "nothing: another handler sits at the node",
};

/* Why the panic path is what it is, from what probe found. */
static const char *pvpanic_acpi_why(const struct pvpanic_acpi *pa)
{
	bool replay = pa->nr_anchors && pa->anchor[0].replay;

	if (pa->policy == PVPANIC_POLICY_IO)
		return "policy=io: the _CRS register only";
	if (pa->live)
		return "policy=acpi: live WRPT first (not panic-safe), then the anchors";
	if (pa->nr_anchors == 2)
		return "the learned register and the _CRS register disagree: both are written";
	if (replay)
		return pa->has_crs ? "the learned register is the _CRS register" :
				     "the learned register (no _CRS register)";
	return "WRPT not replayed: the _CRS register, as pvpanic-mmio";
}

/*
 * The panic path of a device, what was learned, why, and what each anchor
 * advertises: four lines, as debugfs <dev>/path shows them and probe logs
 * them.
 */
#define PVPANIC_ACPI_DESCRIBE_LEN	384

static void pvpanic_acpi_describe(const struct pvpanic_acpi *pa, char *buf)
{
	const struct pvpanic_acpi_learnt *l = &pa->learnt;
	const size_t len = PVPANIC_ACPI_DESCRIBE_LEN;
	const struct pvpanic_acpi_anchor *a;
	size_t n = 0;
	unsigned int i;

	n += scnprintf(buf + n, len - n, "%s", pa->live ? "live" : "");
	for (i = 0; i < pa->nr_anchors; i++) {
		a = &pa->anchor[i];
		n += scnprintf(buf + n, len - n, "%s%s 0x%llx%s",
			       pa->live || i ? " + " : "",
			       a->replay ? (a->io ? "replay io" : "replay mem") :
			       (a->io ? "port" : "mem"), a->address,
			       a->replay ? " 8" : "");
	}
	n += scnprintf(buf + n, len - n, "\nlearned: %s",
		       pvpanic_acpi_learnt_text[l->outcome]);
	if (l->outcome == PVPANIC_LEARN_RECIPE)
		n += scnprintf(buf + n, len - n, " %s 0x%llx, 8 bits",
			       l->io ? "SystemIO" : "SystemMemory", l->address);
	n += scnprintf(buf + n, len - n, "%s\nwhy: ",
		       l->remembered ? " (at an earlier bind)" : "");
	if (l->outcome == PVPANIC_LEARN_RECIPE &&
	    !(pa->nr_anchors && pa->anchor[0].replay))
		n += scnprintf(buf + n, len - n, "the learned register 0x%llx %s; ",
			       l->address,
			       !l->io && pvpanic_acpi_is_ram(l->address, 1) ?
			       "is RAM: refused" : "cannot be mapped");
	n += scnprintf(buf + n, len - n, "%s\nadvertised:",
		       pvpanic_acpi_why(pa));
	for (i = 0; i < pa->nr_anchors; i++)
		n += scnprintf(buf + n, len - n, " 0x%x", pa->anchor[i].mask);
	scnprintf(buf + n, len - n, "\n");
}

static int path_show(struct seq_file *m, void *unused)
{
	char buf[PVPANIC_ACPI_DESCRIBE_LEN];

	pvpanic_acpi_describe(m->private, buf);
	seq_puts(m, buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(path);

static void pvpanic_acpi_del(void *data)
{
	struct pvpanic_acpi *pa = data;

	debugfs_remove_recursive(pa->debugfs);
	mutex_lock(&pvpanic_acpi_list_lock);
	list_del_rcu(&pa->list);
	pvpanic_acpi_sync_sys_off();
	mutex_unlock(&pvpanic_acpi_list_lock);
	/* The panic notifier and the power-off handler walk it under RCU. */
	synchronize_rcu();
}

/* RDPT's byte, or -errno with the reason logged. */
static int pvpanic_acpi_read_rdpt(struct device *dev, acpi_handle handle)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	union acpi_object *obj;
	acpi_status status;
	int ret = -EINVAL;

	pvpanic_acpi_aml_enter();
	status = acpi_evaluate_object(handle, "RDPT", NULL, &buf);
	pvpanic_acpi_aml_exit();
	if (ACPI_FAILURE(status)) {
		dev_warn(dev, "RDPT failed (%s)\n", acpi_format_exception(status));
		return -EIO;
	}
	obj = buf.pointer;
	if (!obj || obj->type != ACPI_TYPE_INTEGER)
		dev_warn(dev, "RDPT returned a non-integer (ACPI type %u)\n",
			 obj ? obj->type : 0);
	else if (obj->integer.value > 0xff)
		dev_warn(dev, "RDPT returned 0x%llx, not a byte: firmware bug\n",
			 obj->integer.value);
	else
		ret = obj->integer.value;
	ACPI_FREE(buf.pointer);
	return ret;
}

/* The _CRS register, an I/O port or memory as pvpanic-mmio takes it. */
static void __iomem *pvpanic_acpi_map_crs(struct platform_device *pdev,
					  struct resource *res)
{
	struct device *dev = &pdev->dev;
	void __iomem *base;

	if (resource_type(res) == IORESOURCE_IO)
		return devm_ioport_map(dev, res->start, resource_size(res));
	if (pvpanic_acpi_is_ram(res->start, resource_size(res))) {
		dev_warn(dev, "_CRS memory %pR is RAM: not using it\n", res);
		return NULL;
	}
	base = devm_ioremap_resource(dev, res);
	if (IS_ERR(base)) {
		dev_warn(dev, "cannot map _CRS memory %pR: %pe\n", res, base);
		return NULL;
	}
	return base;
}

/*
 * An anchor is written only with the bits its own register advertises:
 * the learned register those of RDPT (else its own byte, as pvpanic-mmio
 * reads its register), the _CRS register its own byte.
 */
static void pvpanic_acpi_add_anchor(struct pvpanic_acpi *pa,
				    void __iomem *base, u64 address,
				    bool replay, bool io, int rdpt)
{
	struct pvpanic_acpi_anchor *a = &pa->anchor[pa->nr_anchors++];

	a->base = base;
	a->address = address;
	a->replay = replay;
	a->io = io;
	a->mask = (replay && rdpt >= 0 ? rdpt : ioread8(base)) &
		  PVPANIC_KNOWN_EVENTS;
}

/*
 * The learned register as an anchor: inside the _CRS register's range it
 * is that mapping; elsewhere a one-byte mapping of its own, never of RAM.
 * Returns whether the learned register is the _CRS register.
 */
static bool pvpanic_acpi_learned_anchor(struct pvpanic_acpi *pa,
					struct resource *res,
					void __iomem *crs, int rdpt)
{
	const struct pvpanic_acpi_learnt *l = &pa->learnt;
	void __iomem *base;

	if (crs && resource_type(res) == (l->io ? IORESOURCE_IO : IORESOURCE_MEM) &&
	    l->address >= res->start && l->address <= res->end) {
		pvpanic_acpi_add_anchor(pa, crs + (l->address - res->start),
					l->address, true, l->io, rdpt);
		return true;
	}
	if (!l->io && pvpanic_acpi_is_ram(l->address, 1))
		return false;
	base = l->io ? devm_ioport_map(pa->dev, l->address, 1) :
		       devm_ioremap(pa->dev, l->address, 1);
	if (base)
		pvpanic_acpi_add_anchor(pa, base, l->address, true, l->io, rdpt);
	return false;
}

/*
 * The panic path.  policy=io: the _CRS register.  auto: the learned WRPT
 * register, and the _CRS register when it is another one; the _CRS
 * register alone when nothing was learned.  acpi: live WRPT first, then
 * the same anchors.
 */
static int pvpanic_acpi_choose_path(struct pvpanic_acpi *pa,
				    struct resource *res, void __iomem *crs,
				    int rdpt)
{
	acpi_handle handle = ACPI_HANDLE(pa->dev);
	bool same = false;

	if (!acpi_has_method(handle, "WRPT")) {
		pa->learnt.outcome = PVPANIC_LEARN_NO_WRPT;
	} else if (pa->policy == PVPANIC_POLICY_IO) {
		pa->learnt.outcome = PVPANIC_LEARN_POLICY_IO;
	} else {
		pvpanic_acpi_learn(pa->dev, handle, &pa->learnt);
		pa->live = pa->policy == PVPANIC_POLICY_ACPI &&
			   pa->learnt.outcome != PVPANIC_LEARN_FAILED;
		if (pa->learnt.outcome == PVPANIC_LEARN_RECIPE)
			same = pvpanic_acpi_learned_anchor(pa, res, crs, rdpt);
	}
	pa->has_crs = !!crs;
	if (crs && !same)
		pvpanic_acpi_add_anchor(pa, crs, res->start, false,
					resource_type(res) == IORESOURCE_IO, rdpt);
	if (!pa->live && !pa->nr_anchors) {
		dev_err(pa->dev, "no panic path with policy=%s: %s, and no usable _CRS register; policy=acpi would evaluate WRPT in the panic (not panic-safe). Not binding\n",
			pvpanic_acpi_policy_names[pa->policy],
			pvpanic_acpi_learnt_text[pa->learnt.outcome]);
		return -ENODEV;
	}
	return 0;
}

/*
 * The capability: RDPT's byte, as the spec asks; else the _CRS register's,
 * as pvpanic-mmio reads it.  Software ignores the bits it does not know.
 */
static int pvpanic_acpi_capability(struct pvpanic_acpi *pa, int rdpt,
				   bool has_rdpt, void __iomem *crs)
{
	int raw = rdpt;

	if (raw < 0 && !crs) {
		dev_err(pa->dev, "%s and no _CRS register: cannot tell what the device supports, not binding\n",
			has_rdpt ? "no usable RDPT" : "no RDPT method");
		return -ENODEV;
	}
	if (raw < 0) {
		raw = ioread8(crs);
		dev_info(pa->dev, "%s: capability read from the _CRS register\n",
			 has_rdpt ? "RDPT unusable" : "no RDPT method");
	}
	pa->capability = raw & PVPANIC_KNOWN_EVENTS;
	if (raw & ~PVPANIC_KNOWN_EVENTS)
		dev_info(pa->dev, "capability 0x%02x: ignoring unknown bits 0x%02x\n",
			 raw, raw & ~(int)PVPANIC_KNOWN_EVENTS);
	return 0;
}

/*
 * In a kdump kernel the panicked kernel's notifiers usually never ran
 * (crash_kexec_post_notifiers is off by default): say it now.  Probe is
 * process context, so WRPT is evaluated live where the policy allows it.
 */
static void pvpanic_acpi_kdump_report(struct pvpanic_acpi *pa)
{
	acpi_handle handle = ACPI_HANDLE(pa->dev);
	acpi_status status;

	if (!is_kdump_kernel() || !kdump_report)
		return;
	if (!(pa->capability & PVPANIC_CRASH_LOADED)) {
		dev_info(pa->dev, "kdump kernel: device lacks CRASH_LOADED, not reporting\n");
		return;
	}
	if (pa->policy != PVPANIC_POLICY_IO && acpi_has_method(handle, "WRPT")) {
		status = pvpanic_acpi_eval_wrpt(handle, PVPANIC_CRASH_LOADED);
		if (ACPI_SUCCESS(status)) {
			dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through WRPT\n");
			return;
		}
		dev_warn(pa->dev, "kdump kernel: WRPT(2) failed (%s)\n",
			 acpi_format_exception(status));
	}
	pvpanic_acpi_write_anchors(pa, PVPANIC_CRASH_LOADED);
	if (pa->nr_anchors)
		dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through the anchors\n");
}

static int pvpanic_acpi_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	acpi_handle handle = ACPI_HANDLE(dev);
	void __iomem *crs = NULL;
	struct pvpanic_acpi *pa;
	struct resource *res;
	char buf[PVPANIC_ACPI_DESCRIBE_LEN];
	char *line, *nl;
	bool has_rdpt;
	int rdpt, ret;

	if (!handle)
		return -ENODEV;
	pa = devm_kzalloc(dev, sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	pa->dev = dev;
	pa->policy = READ_ONCE(pvpanic_acpi_policy);

	/*
	 * No _STA check here: the ACPI core creates no platform device for a
	 * device whose _STA says "not present", so probe never sees one.
	 */
	res = platform_get_mem_or_io(pdev, 0);
	if (res)
		crs = pvpanic_acpi_map_crs(pdev, res);
	else
		dev_info(dev, "no I/O or memory register in _CRS\n");
	has_rdpt = acpi_has_method(handle, "RDPT");
	rdpt = has_rdpt ? pvpanic_acpi_read_rdpt(dev, handle) : -ENOENT;
	ret = pvpanic_acpi_capability(pa, rdpt, has_rdpt, crs);
	if (ret)
		return ret;
	ret = pvpanic_acpi_choose_path(pa, res, crs, rdpt);
	if (ret)
		return ret;
	pa->events = pa->capability;
	platform_set_drvdata(pdev, pa);

	pa->debugfs = debugfs_create_dir(dev_name(dev), pvpanic_acpi_dbg_root);
	debugfs_create_file("path", 0400, pa->debugfs, pa, &path_fops);
	mutex_lock(&pvpanic_acpi_list_lock);
	list_add_tail_rcu(&pa->list, &pvpanic_acpi_list);
	pvpanic_acpi_sync_sys_off();
	mutex_unlock(&pvpanic_acpi_list_lock);
	ret = devm_add_action_or_reset(dev, pvpanic_acpi_del, pa);
	if (ret)
		return ret;

	pvpanic_acpi_describe(pa, buf);
	nl = strchr(buf, '\n');
	dev_info(dev, "capability 0x%x, panic path: %.*s\n", pa->capability,
		 (int)(nl - buf), buf);
	for (line = nl + 1; (nl = strchr(line, '\n')); line = nl + 1)
		dev_info(dev, "%.*s\n", (int)(nl - line), line);
	if (!pa->capability)
		dev_info(dev, "capability 0: bound, but no event will ever be sent\n");

	pvpanic_acpi_kdump_report(pa);
	return 0;
}

static const struct acpi_device_id pvpanic_acpi_ids[] = {
	{ "QEMU0001", 0 },
	{ }
};
MODULE_DEVICE_TABLE(acpi, pvpanic_acpi_ids);

static struct platform_driver pvpanic_acpi_driver = {
	.probe = pvpanic_acpi_probe,
	.driver = {
		.name = KBUILD_MODNAME,
		.acpi_match_table = pvpanic_acpi_ids,
		.dev_groups = pvpanic_acpi_groups,
	},
};

/*
 * pvpanic-mmio matches the same ID and udev loads it too: at load, say so
 * for each QEMU0001 device another driver holds.
 */
static int pvpanic_acpi_warn_other(struct device *dev, void *unused)
{
	struct acpi_device *adev = ACPI_COMPANION(dev);
	struct device_driver *drv;

	if (!adev || acpi_match_device_ids(adev, pvpanic_acpi_ids))
		return 0;
	device_lock(dev);
	drv = dev->driver;
	if (drv && drv != &pvpanic_acpi_driver.driver)
		dev_warn(dev, "bound to %s, not %s: unbind it (echo %s > /sys/bus/platform/drivers/%s/unbind; echo %s > /sys/bus/platform/drivers/%s/bind) or blocklist it in /etc/modprobe.d\n",
			 drv->name, KBUILD_MODNAME, dev_name(dev), drv->name,
			 dev_name(dev), KBUILD_MODNAME);
	device_unlock(dev);
	return 0;
}

static int __init pvpanic_acpi_init(void)
{
	int ret;

	ret = atomic_notifier_chain_register(&panic_notifier_list,
					     &pvpanic_acpi_panic_nb);
	if (ret)
		return ret;
	pvpanic_acpi_dbg_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("trigger", 0200, pvpanic_acpi_dbg_root, NULL,
			    &pvpanic_acpi_trigger_fops);
	ret = platform_driver_register(&pvpanic_acpi_driver);
	if (ret) {
		debugfs_remove_recursive(pvpanic_acpi_dbg_root);
		atomic_notifier_chain_unregister(&panic_notifier_list,
						 &pvpanic_acpi_panic_nb);
		return ret;
	}
	bus_for_each_dev(&platform_bus_type, NULL, NULL,
			 pvpanic_acpi_warn_other);
	return 0;
}
module_init(pvpanic_acpi_init);

static void __exit pvpanic_acpi_exit(void)
{
	/* Unbinding the last device unregisters the power-off handler. */
	platform_driver_unregister(&pvpanic_acpi_driver);
	debugfs_remove_recursive(pvpanic_acpi_dbg_root);
	atomic_notifier_chain_unregister(&panic_notifier_list,
					 &pvpanic_acpi_panic_nb);
	pvpanic_acpi_learn_exit();
}
module_exit(pvpanic_acpi_exit);

MODULE_DESCRIPTION("pvpanic through the QEMU0001 ACPI methods RDPT/WRPT");
MODULE_LICENSE("GPL");
