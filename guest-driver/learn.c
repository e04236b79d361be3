// SPDX-License-Identifier: GPL-2.0
/*
 * Learning what WRPT writes, so that the panic path can replay it without
 * the AML interpreter.
 *
 * At the device's ACPI node we install SystemIO and SystemMemory handlers
 * of our own.  ACPICA routes to them every access to a region of those
 * spaces declared inside the device (and only those: a region declared in
 * a parent scope keeps the handler above).  In learn mode writes are
 * recorded and swallowed and reads pass through; otherwise everything
 * passes through, so the firmware works as before.
 *
 * ACPICA detaches a node's regions when a handler is removed, and only a
 * new handler on that node (or above it) attaches them again.  So the
 * handlers stay for the life of the module, across unbind and rebind, and
 * when the module goes they are replaced by ACPICA's default handlers,
 * which it cannot remove again: a later load of this module finds them in
 * place, cannot learn, and says so.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "pvpanic_acpi.h"

#define PVPANIC_LEARN_MAX	8

/* One access seen in learn mode. */
struct pvpanic_acpi_access {
	u8 space_id;
	bool write;
	u32 bit_width;
	u64 address;
	u64 value;
};

/* The spaces hooked, in the order they are installed. */
static const u8 pvpanic_acpi_spaces[] = {
	ACPI_ADR_SPACE_SYSTEM_IO,
	ACPI_ADR_SPACE_SYSTEM_MEMORY,
};

/*
 * One ACPI node this module has seen bound, for the life of the module.
 * @path identifies the node again at unload: the node itself may have gone
 * with its table, and ACPICA freed our handlers with it.
 */
struct pvpanic_acpi_node {
	struct list_head list;
	acpi_handle handle;
	char *path;
	unsigned long hooked;		/* BIT(index in pvpanic_acpi_spaces) */
	bool reported;			/* the kdump kernel's CRASH_LOADED */

	raw_spinlock_t lock;		/* the learn-mode record */
	bool learning;
	unsigned int nr_seen;
	struct pvpanic_acpi_access seen[PVPANIC_LEARN_MAX];
};

static LIST_HEAD(pvpanic_acpi_nodes);
static DEFINE_MUTEX(pvpanic_acpi_nodes_lock);

static const char *pvpanic_acpi_space_name(u8 space_id)
{
	return space_id == ACPI_ADR_SPACE_SYSTEM_IO ? "SystemIO" : "SystemMemory";
}

/* Record an access; true when the caller must swallow it (a write). */
static bool pvpanic_acpi_record(struct pvpanic_acpi_node *node, u8 space_id,
				bool write, acpi_physical_address address,
				u32 bit_width, u64 value)
{
	unsigned long flags;
	bool learning;

	raw_spin_lock_irqsave(&node->lock, flags);
	learning = node->learning;
	if (learning) {
		if (node->nr_seen < PVPANIC_LEARN_MAX)
			node->seen[node->nr_seen] =
				(struct pvpanic_acpi_access) {
					.space_id = space_id,
					.write = write,
					.bit_width = bit_width,
					.address = address,
					.value = value,
				};
		if (node->nr_seen < UINT_MAX)
			node->nr_seen++;
	}
	raw_spin_unlock_irqrestore(&node->lock, flags);
	return learning && write;
}

/*
 * The ports ACPICA never lets AML touch (hwvalid.c: PIC0, PIC1, ELCR).
 * ACPICA also refuses some legacy ports when the firmware's newest _OSI is
 * exactly Windows XP; acpi_gbl_osi_data is not exported, so that case is
 * not mirrored.
 */
static const struct {
	u16 start, end;
} pvpanic_acpi_illegal_ports[] = {
	{ 0x0020, 0x0021 }, { 0x00a0, 0x00a1 }, { 0x04d0, 0x04d1 },
};

static bool pvpanic_acpi_port_legal(u64 port)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pvpanic_acpi_illegal_ports); i++)
		if (port >= pvpanic_acpi_illegal_ports[i].start &&
		    port <= pvpanic_acpi_illegal_ports[i].end)
			return false;
	return true;
}

/*
 * ACPICA's own rules for AML port I/O (acpi_hw_read_port/write_port): 8,
 * 16 or 32 bits, below 64K; a request touching an illegal port is done a
 * byte at a time, skipping the illegal bytes (reading them as 0).
 */
static acpi_status pvpanic_acpi_port_io(bool write, u64 port, u32 bit_width,
					u64 *value)
{
	u32 byte, v = write ? (u32)*value : 0;
	bool legal = true;
	acpi_status status;
	unsigned int i;

	if (bit_width != 8 && bit_width != 16 && bit_width != 32)
		return AE_BAD_PARAMETER;
	if (port + bit_width / 8 - 1 > 0xffff)
		return AE_LIMIT;
	for (i = 0; i < bit_width / 8; i++)
		legal &= pvpanic_acpi_port_legal(port + i);

	if (legal) {
		if (write)
			return acpi_os_write_port(port, v, bit_width);
		status = acpi_os_read_port(port, &v, bit_width);
		*value = v;
		return status;
	}
	for (i = 0; i < bit_width / 8; i++) {
		if (!pvpanic_acpi_port_legal(port + i))
			continue;
		if (write) {
			status = acpi_os_write_port(port + i, (v >> (8 * i)) & 0xff,
						    8);
		} else {
			status = acpi_os_read_port(port + i, &byte, 8);
			v |= (byte & 0xff) << (8 * i);
		}
		if (ACPI_FAILURE(status))
			return status;
	}
	if (!write)
		*value = v;
	return AE_OK;
}

static acpi_status pvpanic_acpi_io_handler(u32 function,
					   acpi_physical_address address,
					   u32 bit_width, u64 *value,
					   void *handler_context,
					   void *region_context)
{
	bool write = (function & ACPI_IO_MASK) == ACPI_WRITE;
	acpi_status status;

	if (write && pvpanic_acpi_record(handler_context,
					 ACPI_ADR_SPACE_SYSTEM_IO, true,
					 address, bit_width, *value))
		return AE_OK;
	status = pvpanic_acpi_port_io(write, address, bit_width, value);
	if (!write && ACPI_SUCCESS(status))
		pvpanic_acpi_record(handler_context, ACPI_ADR_SPACE_SYSTEM_IO,
				    false, address, bit_width, *value);
	return status;
}

/* As ACPICA's memory handler: map, access, unmap (it caches the mapping). */
static acpi_status pvpanic_acpi_mem_handler(u32 function,
					    acpi_physical_address address,
					    u32 bit_width, u64 *value,
					    void *handler_context,
					    void *region_context)
{
	bool write = (function & ACPI_IO_MASK) == ACPI_WRITE;
	void __iomem *p;

	if (bit_width != 8 && bit_width != 16 && bit_width != 32 &&
	    bit_width != 64)
		return AE_AML_OPERAND_VALUE;
	if (write && pvpanic_acpi_record(handler_context,
					 ACPI_ADR_SPACE_SYSTEM_MEMORY, true,
					 address, bit_width, *value))
		return AE_OK;

	p = acpi_os_map_iomem(address, bit_width / 8);
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
	if (!write)
		pvpanic_acpi_record(handler_context,
				    ACPI_ADR_SPACE_SYSTEM_MEMORY, false,
				    address, bit_width, *value);
	return AE_OK;
}

static const acpi_adr_space_handler pvpanic_acpi_handlers[] = {
	pvpanic_acpi_io_handler,
	pvpanic_acpi_mem_handler,
};

static acpi_status pvpanic_acpi_region_setup(acpi_handle region, u32 function,
					     void *handler_context,
					     void **region_context)
{
	*region_context = function == ACPI_REGION_DEACTIVATE ?
			  NULL : handler_context;
	return AE_OK;
}

static char *pvpanic_acpi_node_path(acpi_handle handle)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	char *path;

	if (ACPI_FAILURE(acpi_get_name(handle, ACPI_FULL_PATHNAME, &buf)))
		return NULL;
	path = kstrdup(buf.pointer, GFP_KERNEL);
	ACPI_FREE(buf.pointer);
	return path;
}

/* The node at @node->path is still the one we hooked. */
static bool pvpanic_acpi_node_alive(struct pvpanic_acpi_node *node)
{
	acpi_handle handle;

	return ACPI_SUCCESS(acpi_get_handle(NULL, node->path, &handle)) &&
	       handle == node->handle;
}

static void pvpanic_acpi_node_free(struct pvpanic_acpi_node *node)
{
	list_del(&node->list);
	kfree(node->path);
	kfree(node);
}

/*
 * Install our handlers at @node; true when every space is ours (installed
 * now, or still there from an earlier bind).
 */
static bool pvpanic_acpi_node_hook(struct pvpanic_acpi_node *node,
				   struct device *dev)
{
	acpi_status status;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pvpanic_acpi_spaces); i++) {
		status = acpi_install_address_space_handler(node->handle,
							    pvpanic_acpi_spaces[i],
							    pvpanic_acpi_handlers[i],
							    pvpanic_acpi_region_setup,
							    node);
		if (status == AE_OK || status == AE_SAME_HANDLER) {
			node->hooked |= BIT(i);
			continue;
		}
		node->hooked &= ~BIT(i);
		dev_info(dev, "%s: another %s handler sits at this node (%s; ACPICA's default after an earlier unload of this module, or another driver's): WRPT cannot be learned\n",
			 node->path, pvpanic_acpi_space_name(pvpanic_acpi_spaces[i]),
			 acpi_format_exception(status));
	}
	return node->hooked == BIT(ARRAY_SIZE(pvpanic_acpi_spaces)) - 1;
}

/*
 * The module's record of @handle, created on first sight.  With @hook, our
 * handlers are installed there too.  Records of nodes that went away with
 * their table are dropped on the way (ACPICA freed our handlers with them).
 */
struct pvpanic_acpi_node *pvpanic_acpi_node_get(struct device *dev,
						acpi_handle handle, bool hook)
{
	struct pvpanic_acpi_node *node, *tmp, *found = NULL;

	mutex_lock(&pvpanic_acpi_nodes_lock);
	list_for_each_entry_safe(node, tmp, &pvpanic_acpi_nodes, list) {
		if (!pvpanic_acpi_node_alive(node))
			pvpanic_acpi_node_free(node);
		else if (node->handle == handle)
			found = node;
	}
	if (!found) {
		found = kzalloc(sizeof(*found), GFP_KERNEL);
		if (!found)
			goto out;
		found->path = pvpanic_acpi_node_path(handle);
		if (!found->path) {
			kfree(found);
			found = NULL;
			goto out;
		}
		found->handle = handle;
		raw_spin_lock_init(&found->lock);
		list_add_tail(&found->list, &pvpanic_acpi_nodes);
	}
	if (hook)
		pvpanic_acpi_node_hook(found, dev);
out:
	mutex_unlock(&pvpanic_acpi_nodes_lock);
	return found;
}

bool pvpanic_acpi_node_hooked(const struct pvpanic_acpi_node *node)
{
	return node->hooked == BIT(ARRAY_SIZE(pvpanic_acpi_spaces)) - 1;
}

/* Once per node and module lifetime: a rebind does not report again. */
bool pvpanic_acpi_node_test_and_set_reported(struct pvpanic_acpi_node *node)
{
	bool was;

	mutex_lock(&pvpanic_acpi_nodes_lock);
	was = node->reported;
	node->reported = true;
	mutex_unlock(&pvpanic_acpi_nodes_lock);
	return was;
}

/* One learn-mode evaluation of WRPT(@value); the accesses into @seen. */
static acpi_status pvpanic_acpi_learn_one(struct pvpanic_acpi_node *node,
					  u8 value, unsigned int *nr,
					  struct pvpanic_acpi_access *seen)
{
	unsigned long flags;
	acpi_status status;

	raw_spin_lock_irqsave(&node->lock, flags);
	node->nr_seen = 0;
	node->learning = true;
	raw_spin_unlock_irqrestore(&node->lock, flags);

	status = pvpanic_acpi_eval_wrpt(node->handle, value);

	raw_spin_lock_irqsave(&node->lock, flags);
	node->learning = false;
	*nr = node->nr_seen;
	memcpy(seen, node->seen, sizeof(node->seen));
	raw_spin_unlock_irqrestore(&node->lock, flags);
	return status;
}

/*
 * Is this evaluation one 8-bit write of @value, plus perhaps reads of the
 * same register?  The write, if so, into @w.
 */
static bool pvpanic_acpi_one_store(unsigned int nr,
				   const struct pvpanic_acpi_access *seen,
				   u8 value, struct pvpanic_acpi_access *w)
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
	if (writes != 1 || w->bit_width != 8 || w->value != value)
		return false;
	for (i = 0; i < nr; i++)
		if (!seen[i].write && (seen[i].space_id != w->space_id ||
				       seen[i].address != w->address))
			return false;
	return true;
}

static void pvpanic_acpi_describe(char *buf, size_t len, unsigned int nr,
				  const struct pvpanic_acpi_access *seen)
{
	size_t n = 0;
	unsigned int i;

	if (!nr) {
		snprintf(buf, len, "no access");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < min_t(unsigned int, nr, PVPANIC_LEARN_MAX) && n < len; i++)
		n += scnprintf(buf + n, len - n, "%s%s %s 0x%llx/%u=0x%llx",
			       i ? ", " : "", seen[i].write ? "write" : "read",
			       seen[i].space_id == ACPI_ADR_SPACE_SYSTEM_IO ?
			       "io" : "mem", seen[i].address,
			       seen[i].bit_width, seen[i].value);
	if (nr > PVPANIC_LEARN_MAX && n < len)
		scnprintf(buf + n, len - n, ", ... (%u accesses)", nr);
}

/*
 * Learn WRPT.  Returns 0 with @recipe set when every probe was one byte
 * write of its argument to the same register; -ENOENT when WRPT does
 * something else (@why says what); -EIO when WRPT fails.
 *
 * The first probe is WRPT(0): a write of 0 is no event on any pvpanic
 * device, and a store we cannot see (outside the device's scope, or in a
 * space we do not hook) is real.  Only when that one was seen whole do we
 * go on with 0xa8 and 0x50: between them and 0 each of bits 3-7 is seen
 * set and clear, which shows the argument is stored unchanged, while the
 * event bits 0-2 stay clear.
 */
int pvpanic_acpi_learn(struct pvpanic_acpi_node *node, struct device *dev,
		       struct pvpanic_acpi_recipe *recipe, char *why,
		       size_t len)
{
	static const u8 probes[] = { 0x00, 0xa8, 0x50 };
	struct pvpanic_acpi_access seen[PVPANIC_LEARN_MAX], w, first = { };
	acpi_status status;
	unsigned int i, nr;
	char what[96];

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		status = pvpanic_acpi_learn_one(node, probes[i], &nr, seen);
		if (ACPI_FAILURE(status)) {
			snprintf(why, len, "WRPT(0x%02x) failed (%s)", probes[i],
				 acpi_format_exception(status));
			return -EIO;
		}
		if (!nr) {
			snprintf(why, len, "%s %s %s",
				 "WRPT made no access this driver can see: its register is outside",
				 node->path,
				 "or in an address space other than SystemIO and SystemMemory");
			return -ENOENT;
		}
		if (!pvpanic_acpi_one_store(nr, seen, probes[i], &w) ||
		    (i && (w.space_id != first.space_id ||
			   w.address != first.address))) {
			pvpanic_acpi_describe(what, sizeof(what), nr, seen);
			snprintf(why, len, "WRPT(0x%02x) is not one byte store of its argument: %s",
				 probes[i], what);
			return -ENOENT;
		}
		if (!i)
			first = w;
	}
	recipe->space_id = first.space_id;
	recipe->address = first.address;
	snprintf(why, len, "WRPT(x) stores x to %s 0x%llx, 8 bits",
		 pvpanic_acpi_space_name(first.space_id), first.address);
	return 0;
}

/*
 * Module unload: give every node we hooked back to ACPICA.  Removing our
 * handler detaches the node's regions (evxfregn.c,
 * acpi_remove_address_space_handler); ACPICA's default handler installed
 * in its place attaches them again, so RDPT and WRPT work for everyone as
 * they did before this module.  The scan lock keeps tables from being
 * unloaded meanwhile.
 */
void pvpanic_acpi_nodes_release(void)
{
	struct pvpanic_acpi_node *node, *tmp;
	acpi_status status;
	unsigned int i;

	acpi_scan_lock_acquire();
	mutex_lock(&pvpanic_acpi_nodes_lock);
	list_for_each_entry_safe(node, tmp, &pvpanic_acpi_nodes, list) {
		bool leak = false;

		if (!node->hooked || !pvpanic_acpi_node_alive(node)) {
			pvpanic_acpi_node_free(node);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(pvpanic_acpi_spaces); i++) {
			if (!(node->hooked & BIT(i)))
				continue;
			status = acpi_remove_address_space_handler(node->handle,
								   pvpanic_acpi_spaces[i],
								   pvpanic_acpi_handlers[i]);
			if (ACPI_FAILURE(status)) {
				pr_err("%s: cannot remove the %s handler (%s): keeping its context\n",
				       node->path,
				       pvpanic_acpi_space_name(pvpanic_acpi_spaces[i]),
				       acpi_format_exception(status));
				leak = true;
				continue;
			}
			status = acpi_install_address_space_handler(node->handle,
								    pvpanic_acpi_spaces[i],
								    ACPI_DEFAULT_HANDLER,
								    NULL, NULL);
			if (ACPI_FAILURE(status))
				pr_err("%s: cannot give the %s regions back to ACPICA's handler (%s)\n",
				       node->path,
				       pvpanic_acpi_space_name(pvpanic_acpi_spaces[i]),
				       acpi_format_exception(status));
		}
		if (leak)
			list_del(&node->list);
		else
			pvpanic_acpi_node_free(node);
	}
	mutex_unlock(&pvpanic_acpi_nodes_lock);
	acpi_scan_lock_release();
}
