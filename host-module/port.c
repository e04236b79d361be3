// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim registers: the OEM address space of <pvpanic_sim_oem.h>,
 * served at the ACPI root, where the SSDT's OperationRegions put each
 * device's byte registers.  A read of the port returns the
 * capability (QEMU's "events" property); a write is an event.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>

#include "aml_tables.h"
#include "pvpanic_sim.h"
#include <pvpanic_sim_oem.h>

static acpi_status pvp_region_handler(u32 function,
				      acpi_physical_address address,
				      u32 bit_width, u64 *value,
				      void *handler_context,
				      void *region_context)
{
	struct pvpanic_sim *sim = handler_context;
	u32 device = address / PVP_REG_STRIDE;
	u32 reg = address % PVP_REG_STRIDE;
	bool write = (function & ACPI_IO_MASK) == ACPI_WRITE;

	if (bit_width != 8 || device >= sim->table->devices)
		return AE_BAD_PARAMETER;

	switch (reg) {
	case PVP_REG_PORT:
		if (write)
			pvpanic_sim_port_write(device, *value & 0xff);
		else
			*value = READ_ONCE(sim->capability);
		return AE_OK;
	case PVP_REG_SCRATCH:
		if (write)
			WRITE_ONCE(sim->scratch[device], *value & 0xff);
		else
			*value = READ_ONCE(sim->scratch[device]);
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

int pvpanic_sim_port_init(void)
{
	acpi_status status;

	status = acpi_install_address_space_handler(ACPI_ROOT_OBJECT,
						    PVP_SPACE_ID,
						    pvp_region_handler,
						    pvp_region_setup,
						    &pvpanic_sim);
	if (ACPI_FAILURE(status)) {
		pr_err("cannot install OEM space handler: %s\n",
		       acpi_format_exception(status));
		return -EBUSY;
	}
	return 0;
}

void pvpanic_sim_port_exit(void)
{
	acpi_remove_address_space_handler(ACPI_ROOT_OBJECT, PVP_SPACE_ID,
					  pvp_region_handler);
}
