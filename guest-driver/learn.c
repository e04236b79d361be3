// SPDX-License-Identifier: GPL-2.0
/*
 * The driver's evaluations of WRPT, and learning what WRPT writes so that
 * the panic path can replay it without the interpreter.
 *
 * Learning hooks the device's ACPI node for one evaluation of WRPT(0): our
 * SystemIO and SystemMemory handlers go in, ACPICA routes to them every
 * access to a region of those spaces declared inside the device (and only
 * those: a region declared in a parent scope keeps the handler above), the
 * learning task's writes are recorded and swallowed, every other access
 * passes through by ACPICA's rules.  Then our handlers come out and
 * ACPICA's default handlers go in at the node: removing a handler detaches
 * the node's regions and nothing else attaches them again.  From then on
 * the firmware runs as it did before the driver, and the node cannot be
 * watched again; so what was learned is kept on the node (see
 * pvpanic_acpi_remember()) and every later bind takes it from there.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/hardirq.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "pvpanic_acpi.h"

/*
 * Our own AML in flight.  policy=acpi's panic path evaluates WRPT only
 * when it is zero: a panic raised inside one of our evaluations would find
 * ACPICA's mutexes held.  Nothing tells about anybody else's.
 */
static atomic_t pvpanic_acpi_aml_busy = ATOMIC_INIT(0);

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

	pvpanic_acpi_aml_enter();
	status = acpi_execute_simple_method(handle, "WRPT", value);
	pvpanic_acpi_aml_exit();
	return status;
}

/* policy=acpi: live WRPT from the panic path; refuse rather than wait. */
bool pvpanic_acpi_wrpt_live(acpi_handle handle, u8 value)
{
	acpi_status status;

	if (in_nmi() || atomic_inc_return(&pvpanic_acpi_aml_busy) != 1) {
		atomic_dec(&pvpanic_acpi_aml_busy);
		return false;
	}
	status = acpi_execute_simple_method(handle, "WRPT", value);
	atomic_dec(&pvpanic_acpi_aml_busy);
	return ACPI_SUCCESS(status);
}

/*
 * What learning saw, kept on the ACPI node for as long as the node lives,
 * in the node's private-data pointer itself (acpi_bus_attach_private_data()):
 * nothing is allocated, so nothing can leak or outlive the node, and the
 * handler ACPICA calls when the node goes is the ACPI core's, not ours.
 * The pointer's bits: the outcome, a tag, SystemIO, then the address.
 */
#define PVPANIC_NODE_OUTCOME	GENMASK(3, 0)
#define PVPANIC_NODE_IO		BIT(4)
#define PVPANIC_NODE_TAG	(0x5UL << 5)
#define PVPANIC_NODE_TAG_MASK	GENMASK(7, 5)
#define PVPANIC_NODE_SHIFT	8

static bool pvpanic_acpi_recall(acpi_handle handle,
				struct pvpanic_acpi_learnt *l)
{
	uintptr_t v;
	void *data;

	if (acpi_bus_get_private_data(handle, &data))
		return false;
	v = (uintptr_t)data;
	if ((v & PVPANIC_NODE_TAG_MASK) != PVPANIC_NODE_TAG ||
	    (v & PVPANIC_NODE_OUTCOME) >= PVPANIC_LEARN_NR)
		return false;
	l->outcome = v & PVPANIC_NODE_OUTCOME;
	l->io = v & PVPANIC_NODE_IO;
	l->address = v >> PVPANIC_NODE_SHIFT;
	l->remembered = true;
	return true;
}

static void pvpanic_acpi_remember(struct device *dev, acpi_handle handle,
				  const struct pvpanic_acpi_learnt *l)
{
	uintptr_t v = l->outcome | PVPANIC_NODE_TAG |
		      (l->io ? PVPANIC_NODE_IO : 0);

	if (l->address > (UINTPTR_MAX >> PVPANIC_NODE_SHIFT)) {
		dev_warn(dev, "the learned register 0x%llx does not fit the node's record on this architecture: later binds write the _CRS register only\n",
			 l->address);
		return;
	}
	v |= (uintptr_t)l->address << PVPANIC_NODE_SHIFT;
	if (acpi_bus_attach_private_data(handle, (void *)v))
		dev_warn(dev, "cannot keep what was learned on the ACPI node (it carries other data): later binds write the _CRS register only\n");
}

#define PVPANIC_LEARN_MAX	8

/* One access seen while learning. */
struct pvpanic_acpi_seen {
	u8 space_id;
	bool write;
	bool legal;			/* a port access ACPICA lets AML make */
	u32 bit_width;
	u64 address;
	u64 value;
};

/*
 * One learner at a time (the mutex).  The handlers take only the raw
 * spinlock, and only the learning task's accesses are recorded.  They get
 * no context of their own: ACPICA does not wait for calls in flight when a
 * handler is removed, so everything they touch is static, and the module
 * waits for @in_flight to drop to zero before it may go.
 */
static DEFINE_MUTEX(pvpanic_acpi_learn_lock);
static struct {
	raw_spinlock_t lock;
	struct task_struct *task;	/* the learner, NULL when none */
	unsigned int nr;
	struct pvpanic_acpi_seen seen[PVPANIC_LEARN_MAX];
} pvpanic_acpi_learning = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(pvpanic_acpi_learning.lock),
};

static atomic_t pvpanic_acpi_in_flight = ATOMIC_INIT(0);

/* Record an access of the learner; true when the caller must swallow it. */
static bool pvpanic_acpi_record(const struct pvpanic_acpi_seen *a)
{
	unsigned long flags;
	bool mine;

	raw_spin_lock_irqsave(&pvpanic_acpi_learning.lock, flags);
	mine = pvpanic_acpi_learning.task == current;
	if (mine) {
		if (pvpanic_acpi_learning.nr < PVPANIC_LEARN_MAX)
			pvpanic_acpi_learning.seen[pvpanic_acpi_learning.nr] = *a;
		if (pvpanic_acpi_learning.nr < UINT_MAX)
			pvpanic_acpi_learning.nr++;
	}
	raw_spin_unlock_irqrestore(&pvpanic_acpi_learning.lock, flags);
	return mine && a->write;
}

/*
 * ACPICA's rules for AML port I/O (acpi_hw_validate_io_request()): 8, 16
 * or 32 bits, below 64K, and never the PIC0, PIC1 and ELCR ports.  ACPICA
 * also refuses some legacy ports when the firmware's newest _OSI is
 * exactly Windows XP; acpi_gbl_osi_data is not exported, so that case is
 * not mirrored.
 */
static acpi_status pvpanic_acpi_port_check(u64 port, u32 bit_width,
					   bool *legal)
{
	u64 last = port + bit_width / 8 - 1;

	if (bit_width != 8 && bit_width != 16 && bit_width != 32)
		return AE_BAD_PARAMETER;
	if (last > 0xffff)
		return AE_LIMIT;
	*legal = (last < 0x20 || port > 0x21) && (last < 0xa0 || port > 0xa1) &&
		 (last < 0x4d0 || port > 0x4d1);
	return AE_OK;
}

/* As ACPICA's memory handler: map, access, unmap. */
static acpi_status pvpanic_acpi_mem_io(bool write, u64 address, u32 bit_width,
				       u64 *value)
{
	void __iomem *p = acpi_os_map_iomem(address, bit_width / 8);

	if (!p)
		return AE_NO_MEMORY;
	switch (bit_width) {
	case 8:
		if (write)
			writeb(*value, p);
		else
			*value = readb(p);
		break;
	case 16:
		if (write)
			writew(*value, p);
		else
			*value = readw(p);
		break;
	case 32:
		if (write)
			writel(*value, p);
		else
			*value = readl(p);
		break;
	default:
		if (write)
			writeq(*value, p);
		else
			*value = readq(p);
		break;
	}
	acpi_os_unmap_iomem(p, bit_width / 8);
	return AE_OK;
}

/*
 * The handlers: check the access as ACPICA would, then record and swallow
 * the learner's writes; everything else passes through.  A port access
 * that touches a port ACPICA never lets AML touch is dropped whole (a read
 * gives 0): ACPICA would still make its other bytes, one at a time.
 */
static acpi_status pvpanic_acpi_hook(u32 function,
				     acpi_physical_address address,
				     u32 bit_width, u64 *value,
				     void *handler_context,
				     void *region_context)
{
	u8 space_id = (uintptr_t)handler_context;
	struct pvpanic_acpi_seen a = {
		.space_id = space_id,
		.write = (function & ACPI_IO_MASK) == ACPI_WRITE,
		.bit_width = bit_width,
		.address = address,
		.value = *value,
		.legal = true,
	};
	acpi_status status;
	u32 v;

	atomic_inc(&pvpanic_acpi_in_flight);
	if (space_id == ACPI_ADR_SPACE_SYSTEM_IO)
		status = pvpanic_acpi_port_check(address, bit_width, &a.legal);
	else if (bit_width != 8 && bit_width != 16 && bit_width != 32 &&
		 bit_width != 64)
		status = AE_AML_OPERAND_VALUE;
	else
		status = AE_OK;
	if (ACPI_FAILURE(status) || (a.write && pvpanic_acpi_record(&a)))
		goto out;

	if (space_id != ACPI_ADR_SPACE_SYSTEM_IO) {
		status = pvpanic_acpi_mem_io(a.write, address, bit_width, value);
	} else if (!a.legal) {
		if (!a.write)
			*value = 0;
	} else if (a.write) {
		status = acpi_os_write_port(address, *value, bit_width);
	} else {
		status = acpi_os_read_port(address, &v, bit_width);
		*value = v;
	}
	if (!a.write && ACPI_SUCCESS(status)) {
		a.value = *value;
		pvpanic_acpi_record(&a);
	}
out:
	atomic_dec(&pvpanic_acpi_in_flight);
	return status;
}

/* The spaces hooked, each with pvpanic_acpi_hook() and its id as context. */
static const u8 pvpanic_acpi_spaces[] = {
	ACPI_ADR_SPACE_SYSTEM_IO, ACPI_ADR_SPACE_SYSTEM_MEMORY,
};

static const char *pvpanic_acpi_space_name(u8 space_id)
{
	return space_id == ACPI_ADR_SPACE_SYSTEM_IO ? "SystemIO" : "SystemMemory";
}

/*
 * Put ACPICA's default handler where ours was: its installation walk
 * attaches the node's regions again, and it runs as the root's does, with
 * the interpreter lock held.  A handler of ours that cannot be removed
 * stays reachable from the firmware: the module is pinned then.
 */
static void pvpanic_acpi_unhook(struct device *dev, acpi_handle handle,
				unsigned long hooked)
{
	acpi_status status;
	unsigned int i;
	u8 space;

	for (i = 0; i < ARRAY_SIZE(pvpanic_acpi_spaces); i++) {
		if (!(hooked & BIT(i)))
			continue;
		space = pvpanic_acpi_spaces[i];
		status = acpi_remove_address_space_handler(handle, space,
							   pvpanic_acpi_hook);
		if (ACPI_FAILURE(status)) {
			__module_get(THIS_MODULE);
			dev_err(dev, "cannot remove the %s learning handler (%s): the module stays loaded for good\n",
				pvpanic_acpi_space_name(space),
				acpi_format_exception(status));
			continue;
		}
		status = acpi_install_address_space_handler(handle, space,
							    ACPI_DEFAULT_HANDLER,
							    NULL, NULL);
		if (ACPI_FAILURE(status))
			dev_err(dev, "cannot give the %s regions back to ACPICA's handler: %s\n",
				pvpanic_acpi_space_name(space),
				acpi_format_exception(status));
	}
}

/* Is this evaluation one 8-bit store of 0, and at most reads of its register? */
static bool pvpanic_acpi_one_store(unsigned int nr,
				   const struct pvpanic_acpi_seen *seen,
				   struct pvpanic_acpi_seen *w)
{
	unsigned int i, writes = 0;

	if (nr > PVPANIC_LEARN_MAX)
		return false;
	for (i = 0; i < nr; i++) {
		if (!seen[i].write)
			continue;
		*w = seen[i];
		writes++;
	}
	if (writes != 1 || w->bit_width != 8 || w->value || !w->legal)
		return false;
	for (i = 0; i < nr; i++)
		if (!seen[i].write && (seen[i].space_id != w->space_id ||
				       seen[i].address != w->address))
			return false;
	return true;
}

/* Log what WRPT(0) did when it is not one store we can replay. */
static void pvpanic_acpi_log_seen(struct device *dev, unsigned int nr,
				  const struct pvpanic_acpi_seen *seen)
{
	unsigned int i;

	dev_info(dev, "WRPT(0) is not one byte store of 0 to a legal register: %u accesses\n",
		 nr);
	for (i = 0; i < min_t(unsigned int, nr, PVPANIC_LEARN_MAX); i++)
		dev_info(dev, "  %s %s 0x%llx/%u=0x%llx%s\n",
			 seen[i].write ? "write" : "read",
			 seen[i].space_id == ACPI_ADR_SPACE_SYSTEM_IO ? "io" : "mem",
			 seen[i].address, seen[i].bit_width, seen[i].value,
			 seen[i].legal ? "" : " (illegal port)");
}

/*
 * Learn what WRPT writes, once per node: @l's outcome is RECIPE (with the
 * register) when WRPT(0) was one byte store of 0 to a register ACPICA lets
 * AML write, else why not.  A later bind of the same node gets what the
 * first one learned, without evaluating anything.
 *
 * The only probe is WRPT(0): 0 sets no bit, and a store the handlers
 * cannot see (a region outside the device, another space) reaches the
 * real register, so no probe may carry a bit the device might not
 * recognise.  The price: one store of 0 does not prove that WRPT stores
 * its argument unchanged (a WRPT that shifts it would look the same).
 */
void pvpanic_acpi_learn(struct device *dev, acpi_handle handle,
			struct pvpanic_acpi_learnt *l)
{
	struct pvpanic_acpi_seen seen[PVPANIC_LEARN_MAX], w;
	unsigned long hooked = 0;
	acpi_status status;
	unsigned int i, nr;
	bool watched;
	u8 space;

	memset(l, 0, sizeof(*l));
	mutex_lock(&pvpanic_acpi_learn_lock);
	if (pvpanic_acpi_recall(handle, l))
		goto out;

	pvpanic_acpi_aml_enter();
	for (i = 0; i < ARRAY_SIZE(pvpanic_acpi_spaces); i++) {
		space = pvpanic_acpi_spaces[i];
		status = acpi_install_address_space_handler(handle, space,
							    pvpanic_acpi_hook, NULL,
							    (void *)(uintptr_t)space);
		if (ACPI_FAILURE(status))
			break;
		hooked |= BIT(i);
	}
	/* Not ours to watch: WRPT(0), unwatched, still shows whether it works. */
	watched = i == ARRAY_SIZE(pvpanic_acpi_spaces);
	if (!watched) {
		dev_info(dev, "a %s handler sits at the node already: WRPT cannot be watched\n",
			 pvpanic_acpi_space_name(space));
		pvpanic_acpi_unhook(dev, handle, hooked);
	}

	raw_spin_lock_irq(&pvpanic_acpi_learning.lock);
	pvpanic_acpi_learning.nr = 0;
	pvpanic_acpi_learning.task = watched ? current : NULL;
	raw_spin_unlock_irq(&pvpanic_acpi_learning.lock);

	status = acpi_execute_simple_method(handle, "WRPT", 0);

	raw_spin_lock_irq(&pvpanic_acpi_learning.lock);
	pvpanic_acpi_learning.task = NULL;
	nr = pvpanic_acpi_learning.nr;
	memcpy(seen, pvpanic_acpi_learning.seen, sizeof(seen));
	raw_spin_unlock_irq(&pvpanic_acpi_learning.lock);

	if (watched)
		pvpanic_acpi_unhook(dev, handle, hooked);
	pvpanic_acpi_aml_exit();

	if (ACPI_FAILURE(status)) {
		dev_warn(dev, "WRPT(0) failed (%s)\n",
			 acpi_format_exception(status));
		l->outcome = PVPANIC_LEARN_FAILED;
	} else if (!watched) {
		l->outcome = PVPANIC_LEARN_BLOCKED;
	} else if (!nr) {
		l->outcome = PVPANIC_LEARN_UNSEEN;
	} else if (!pvpanic_acpi_one_store(nr, seen, &w)) {
		pvpanic_acpi_log_seen(dev, nr, seen);
		l->outcome = PVPANIC_LEARN_NOT_ONE_STORE;
	} else {
		l->outcome = PVPANIC_LEARN_RECIPE;
		l->io = w.space_id == ACPI_ADR_SPACE_SYSTEM_IO;
		l->address = w.address;
	}
	if (watched)
		pvpanic_acpi_remember(dev, handle, l);
out:
	mutex_unlock(&pvpanic_acpi_learn_lock);
}

/* Module unload: no call of our handlers may still be running. */
void pvpanic_acpi_learn_exit(void)
{
	while (atomic_read(&pvpanic_acpi_in_flight))
		usleep_range(100, 1000);
}
