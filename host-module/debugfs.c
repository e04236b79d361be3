// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim debugfs (root only, for tests): wrpt[N] and rdpt[N]
 * evaluate the model's own WRPT/RDPT through the AML, hold keeps events
 * in the ring, pending counts those not delivered yet, seq is the last
 * event's sequence number.
 */

#include <linux/acpi.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "aml_tables.h"
#include "pvpanic_sim.h"

static int pvp_dbg_handle(struct file *file, acpi_handle *handle)
{
	const char *path = pvpanic_sim_device_path((uintptr_t)file->private_data);

	if (!path || ACPI_FAILURE(acpi_get_handle(NULL, (char *)path, handle)))
		return -ENODEV;
	return 0;
}

/* "VALUE [COUNT]": WRPT(VALUE), COUNT times (bursts for tests). */
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
	*val = READ_ONCE(pvpanic_sim.hold);
	return 0;
}

static int pvp_dbg_hold_set(void *data, u64 val)
{
	pvpanic_sim_events_hold(val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvp_dbg_hold_fops, pvp_dbg_hold_get, pvp_dbg_hold_set,
			 "%llu\n");

static int pvp_dbg_pending_get(void *data, u64 *val)
{
	*val = pvpanic_sim_events_pending();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvp_dbg_pending_fops, pvp_dbg_pending_get, NULL,
			 "%llu\n");

static int pvp_dbg_seq_get(void *data, u64 *val)
{
	*val = atomic64_read(&pvpanic_sim.seq);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvp_dbg_seq_fops, pvp_dbg_seq_get, NULL, "%llu\n");

void pvpanic_sim_debugfs_init(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	struct dentry *dir;
	unsigned int i;
	char name[16];

	dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	sim->debugfs = dir;
	for (i = 0; i < sim->table->devices; i++) {
		void *dev = (void *)(uintptr_t)i;

		snprintf(name, sizeof(name), i ? "wrpt%u" : "wrpt", i);
		debugfs_create_file(name, 0200, dir, dev,
				    &pvp_dbg_wrpt_fops);
		snprintf(name, sizeof(name), i ? "rdpt%u" : "rdpt", i);
		debugfs_create_file(name, 0400, dir, dev,
				    &pvp_dbg_rdpt_fops);
	}
	debugfs_create_file_unsafe("hold", 0600, dir, NULL,
				   &pvp_dbg_hold_fops);
	debugfs_create_file_unsafe("pending", 0400, dir, NULL,
				   &pvp_dbg_pending_fops);
	debugfs_create_file_unsafe("seq", 0400, dir, NULL,
				   &pvp_dbg_seq_fops);
	pvpanic_sim_amltest_init(dir);
}

/* Before the table goes: the busy thread evaluates the table's AML. */
void pvpanic_sim_debugfs_exit(void)
{
	debugfs_remove_recursive(pvpanic_sim.debugfs);
	pvpanic_sim_amltest_exit();
}
