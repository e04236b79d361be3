// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim test helpers that reach any firmware, QEMU's own included:
 *
 *  debugfs eval:     write "PATH [ARG]" to evaluate a method from outside
 *                    every pvpanic driver; read back "STATUS [VALUE]".
 *  debugfs aml_busy: write a CPU number to keep that CPU inside the AML
 *                    interpreter (\_SB.PVBZ, a Stall loop of the model's
 *                    SSDT) until "off" is written; read the state.
 *
 * A panic notifier of the lowest priority tells the console whether the
 * busy CPU was inside the interpreter when the kernel panicked.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "pvpanic_sim.h"

/* \_SB.PVBZ(Arg0) stalls Arg0 x 100 us: one second per evaluation. */
#define PVP_BUSY_STALLS		10000

static DEFINE_MUTEX(pvp_eval_lock);
static char pvp_eval_result[64] = "nothing evaluated\n";

static ssize_t pvp_eval_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct acpi_buffer out = { ACPI_ALLOCATE_BUFFER, NULL };
	union acpi_object arg = { .type = ACPI_TYPE_INTEGER };
	struct acpi_object_list args = { 1, &arg };
	union acpi_object *obj;
	acpi_status status;
	char buf[128], *sp;
	u64 value;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);
	sp = strchr(buf, ' ');
	if (sp) {
		*sp++ = '\0';
		if (kstrtou64(skip_spaces(sp), 0, &value))
			return -EINVAL;
		arg.integer.value = value;
	}
	if (buf[0] != '\\')
		return -EINVAL;

	status = acpi_evaluate_object(NULL, buf, sp ? &args : NULL, &out);
	obj = out.pointer;
	mutex_lock(&pvp_eval_lock);
	if (ACPI_SUCCESS(status) && obj && obj->type == ACPI_TYPE_INTEGER)
		snprintf(pvp_eval_result, sizeof(pvp_eval_result),
			 "%s 0x%llx\n", acpi_format_exception(status),
			 obj->integer.value);
	else
		snprintf(pvp_eval_result, sizeof(pvp_eval_result), "%s\n",
			 acpi_format_exception(status));
	mutex_unlock(&pvp_eval_lock);
	ACPI_FREE(out.pointer);
	return len;
}

static ssize_t pvp_eval_read(struct file *file, char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[sizeof(pvp_eval_result)];

	mutex_lock(&pvp_eval_lock);
	memcpy(buf, pvp_eval_result, sizeof(buf));
	mutex_unlock(&pvp_eval_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, strlen(buf));
}

static const struct file_operations pvp_eval_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = pvp_eval_read,
	.write = pvp_eval_write,
	.llseek = default_llseek,
};

static DEFINE_MUTEX(pvp_busy_lock);
static struct task_struct *pvp_busy_task;
static int pvp_busy_cpu = -1;
static atomic_t pvp_busy_inside = ATOMIC_INIT(0);
static atomic_long_t pvp_busy_count = ATOMIC_LONG_INIT(0);

static int pvp_busy_fn(void *unused)
{
	union acpi_object arg = {
		.integer = { .type = ACPI_TYPE_INTEGER,
			     .value = PVP_BUSY_STALLS },
	};
	struct acpi_object_list args = { 1, &arg };
	acpi_status status;

	while (!kthread_should_stop()) {
		atomic_set(&pvp_busy_inside, 1);
		status = acpi_evaluate_object(NULL, "\\_SB.PVBZ", &args, NULL);
		atomic_set(&pvp_busy_inside, 0);
		if (ACPI_FAILURE(status)) {
			pr_err("aml_busy: \\_SB.PVBZ failed (%s)\n",
			       acpi_format_exception(status));
			/* Wait to be stopped rather than spin on failures. */
			while (!kthread_should_stop())
				schedule_timeout_interruptible(HZ);
			break;
		}
		atomic_long_inc(&pvp_busy_count);
		cond_resched();
	}
	return 0;
}

static void pvp_busy_stop(void)
{
	if (pvp_busy_task)
		kthread_stop(pvp_busy_task);
	pvp_busy_task = NULL;
	pvp_busy_cpu = -1;
}

static ssize_t pvp_busy_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct task_struct *t;
	unsigned int cpu;
	char buf[16];
	int ret = len;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	mutex_lock(&pvp_busy_lock);
	if (sysfs_streq(buf, "off")) {
		pvp_busy_stop();
		goto out;
	}
	if (kstrtouint(buf, 0, &cpu) || cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		ret = -EINVAL;
		goto out;
	}
	pvp_busy_stop();
	atomic_long_set(&pvp_busy_count, 0);
	t = kthread_create(pvp_busy_fn, NULL, "pvp_aml_busy/%u", cpu);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	kthread_bind(t, cpu);
	pvp_busy_task = t;
	pvp_busy_cpu = cpu;
	wake_up_process(t);
out:
	mutex_unlock(&pvp_busy_lock);
	return ret;
}

static int pvp_busy_show(struct seq_file *m, void *unused)
{
	mutex_lock(&pvp_busy_lock);
	if (pvp_busy_cpu < 0)
		seq_puts(m, "off\n");
	else
		seq_printf(m, "cpu %d inside %d evaluations %ld\n", pvp_busy_cpu,
			   atomic_read(&pvp_busy_inside),
			   atomic_long_read(&pvp_busy_count));
	mutex_unlock(&pvp_busy_lock);
	return 0;
}

static int pvp_busy_open(struct inode *inode, struct file *file)
{
	return single_open(file, pvp_busy_show, NULL);
}

static const struct file_operations pvp_busy_fops = {
	.owner = THIS_MODULE,
	.open = pvp_busy_open,
	.read = seq_read,
	.write = pvp_busy_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* Last in the chain: every pvpanic driver has had its turn by then. */
static int pvp_busy_panic(struct notifier_block *nb, unsigned long code,
			  void *unused)
{
	int cpu = READ_ONCE(pvp_busy_cpu);

	if (cpu >= 0)
		pr_emerg("aml_busy: at the panic CPU %d was %s the AML interpreter (%ld evaluations of \\_SB.PVBZ done)\n",
			 cpu, atomic_read(&pvp_busy_inside) ? "inside" : "outside",
			 atomic_long_read(&pvp_busy_count));
	return NOTIFY_DONE;
}

static struct notifier_block pvp_busy_panic_nb = {
	.notifier_call = pvp_busy_panic,
	.priority = INT_MIN,
};

void pvpanic_sim_amltest_init(struct dentry *dir)
{
	debugfs_create_file("eval", 0600, dir, NULL, &pvp_eval_fops);
	debugfs_create_file("aml_busy", 0600, dir, NULL, &pvp_busy_fops);
	atomic_notifier_chain_register(&panic_notifier_list,
				       &pvp_busy_panic_nb);
}

void pvpanic_sim_amltest_exit(void)
{
	atomic_notifier_chain_unregister(&panic_notifier_list,
					 &pvp_busy_panic_nb);
	mutex_lock(&pvp_busy_lock);
	pvp_busy_stop();
	mutex_unlock(&pvp_busy_lock);
}
