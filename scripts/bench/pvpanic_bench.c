// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_bench: the in-kernel clock of make bench (test use only; never
 * installed).  Root-only files under /sys/kernel/debug/pvpanic_bench/:
 *
 *   chain  write "N [MODULE]": call the panic notifiers of the pvpanic
 *          modules (ours, pvpanic_acpi, and upstream's, pvpanic), or of
 *          MODULE only, N times with interrupts off, as panic() calls
 *          them, so each bound device is
 *          told through the driver's real panic path.  The chain's other
 *          notifiers are left out: one of them prints a console line.
 *   port   write "PORT N": N bare outb(1, PORT) with interrupts off, the
 *          cheapest notification there is.
 *   wrpt   write "PATH RATE N": evaluate PATH.WRPT(1) N times from this
 *          task, paced at RATE per second (0: back to back).
 *
 * Reading any of them gives the last result of that file:
 *   "calls elapsed_ns failures late notifiers"
 * (late: paced calls started more than one period after they were due;
 * notifiers: how many panic notifiers each chain call ran).
 *
 *   members  read: the panic notifier chain, one "priority callback" a line.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/kallsyms.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#define BENCH_MAX_CALLS	1000000

struct bench_result {
	u64 calls;
	u64 elapsed_ns;
	u64 failures;
	u64 late;
	u64 notifiers;
};

#define BENCH_MAX_NB	4

enum { BENCH_CHAIN, BENCH_PORT, BENCH_WRPT, BENCH_NR };

static DEFINE_MUTEX(bench_lock);
static struct bench_result bench_last[BENCH_NR];
static struct dentry *bench_dir;

/* A panic notifier of module @mod ("" for pvpanic or pvpanic_acpi)? */
static bool bench_is_pvpanic(struct notifier_block *nb, const char *mod)
{
	char sym[KSYM_SYMBOL_LEN], want[MODULE_NAME_LEN + 4];

	sprint_symbol(sym, (unsigned long)nb->notifier_call);
	if (!*mod)
		return strstr(sym, " [pvpanic]") || strstr(sym, " [pvpanic_acpi]");
	snprintf(want, sizeof(want), " [%s]", mod);
	return strstr(sym, want);
}

static void bench_chain(unsigned int n, const char *mod,
			struct bench_result *r)
{
	struct notifier_block *nb, *nbs[BENCH_MAX_NB];
	unsigned int i, j, k = 0;
	unsigned long flags;
	u64 t0;

	/* Unregistering waits for RCU readers: the blocks stay valid. */
	rcu_read_lock();
	for (nb = rcu_dereference(panic_notifier_list.head);
	     nb && k < BENCH_MAX_NB; nb = rcu_dereference(nb->next))
		if (bench_is_pvpanic(nb, mod))
			nbs[k++] = nb;
	local_irq_save(flags);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		for (j = 0; j < k; j++)
			nbs[j]->notifier_call(nbs[j], 0, "pvpanic_bench");
	r->elapsed_ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
	rcu_read_unlock();
	r->calls = n;
	r->notifiers = k;
}

static void bench_port(unsigned int port, unsigned int n,
		       struct bench_result *r)
{
	unsigned long flags;
	unsigned int i;
	u64 t0;

	local_irq_save(flags);
	t0 = ktime_get_ns();
	for (i = 0; i < n; i++)
		outb(1, port);
	r->elapsed_ns = ktime_get_ns() - t0;
	local_irq_restore(flags);
	r->calls = n;
}

static int bench_wrpt(const char *path, unsigned int rate, unsigned int n,
		      struct bench_result *r)
{
	u64 t0, due, period = rate ? div_u64(NSEC_PER_SEC, rate) : 0;
	acpi_handle handle;
	unsigned int i;

	if (ACPI_FAILURE(acpi_get_handle(NULL, (char *)path, &handle)) ||
	    !acpi_has_method(handle, "WRPT"))
		return -ENODEV;

	t0 = ktime_get_ns();
	for (i = 0; i < n; i++) {
		if (rate) {
			due = t0 + div_u64((u64)i * NSEC_PER_SEC, rate);
			while (ktime_get_ns() < due)
				cond_resched();
			if (ktime_get_ns() - due > period)
				r->late++;
		}
		if (ACPI_FAILURE(acpi_execute_simple_method(handle, "WRPT", 1)))
			r->failures++;
		/* Let the model's delivery work run, as a vCPU thread would. */
		cond_resched();
		if (fatal_signal_pending(current))
			break;
	}
	r->elapsed_ns = ktime_get_ns() - t0;
	r->calls = i;
	return 0;
}

static ssize_t bench_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	uintptr_t which = (uintptr_t)file->private_data;
	struct bench_result r = { };
	unsigned int a, n;
	char buf[96], path[64];
	int ret = 0;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	switch (which) {
	case BENCH_CHAIN:
		/* "N [MODULE]": only that module's notifiers */
		path[0] = '\0';
		if (sscanf(buf, "%u %63s", &n, path) < 1 || !n ||
		    n > BENCH_MAX_CALLS)
			return -EINVAL;
		break;
	case BENCH_PORT:
		if (sscanf(buf, "%i %u", &a, &n) != 2 || a > 0xffff ||
		    !n || n > BENCH_MAX_CALLS)
			return -EINVAL;
		break;
	default:
		if (sscanf(buf, "%63s %u %u", path, &a, &n) != 3 ||
		    a > 10000000 || !n || n > BENCH_MAX_CALLS)
			return -EINVAL;
		break;
	}

	mutex_lock(&bench_lock);
	switch (which) {
	case BENCH_CHAIN:
		bench_chain(n, path, &r);
		break;
	case BENCH_PORT:
		bench_port(a, n, &r);
		break;
	default:
		ret = bench_wrpt(path, a, n, &r);
		break;
	}
	if (!ret)
		bench_last[which] = r;
	mutex_unlock(&bench_lock);
	return ret ? ret : len;
}

static ssize_t bench_read(struct file *file, char __user *ubuf, size_t len,
			  loff_t *ppos)
{
	uintptr_t which = (uintptr_t)file->private_data;
	struct bench_result r;
	char buf[96];
	int n;

	mutex_lock(&bench_lock);
	r = bench_last[which];
	mutex_unlock(&bench_lock);
	n = scnprintf(buf, sizeof(buf), "%llu %llu %llu %llu %llu\n", r.calls,
		      r.elapsed_ns, r.failures, r.late, r.notifiers);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations bench_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = bench_read,
	.write = bench_write,
	.llseek = noop_llseek,
};

static int members_show(struct seq_file *m, void *unused)
{
	struct notifier_block *nb;

	rcu_read_lock();
	for (nb = rcu_dereference(panic_notifier_list.head); nb;
	     nb = rcu_dereference(nb->next))
		seq_printf(m, "%d %ps\n", nb->priority, nb->notifier_call);
	rcu_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(members);

static int __init bench_init(void)
{
	static const char *const names[BENCH_NR] = { "chain", "port", "wrpt" };
	uintptr_t i;

	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	for (i = 0; i < BENCH_NR; i++)
		debugfs_create_file(names[i], 0600, bench_dir, (void *)i,
				    &bench_fops);
	debugfs_create_file("members", 0400, bench_dir, NULL, &members_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
}

module_init(bench_init);
module_exit(bench_exit);
MODULE_DESCRIPTION("In-kernel timing for the pvpanic benchmark (test use)");
MODULE_LICENSE("GPL");
