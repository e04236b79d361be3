/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_sim's registers: an OEM address space that only the model
 * serves (host-module/port.c), where the model's own SSDT variants
 * (acpi/pvpanic-sim.asl, which includes this file too) put each device's
 * block of byte registers.  C and ASL both read it: plain #defines only.
 */
#ifndef _PVPANIC_SIM_OEM_H
#define _PVPANIC_SIM_OEM_H

#define PVP_SPACE_ID		0x80	/* the OEM address space */
#define PVP_REG_STRIDE		0x10	/* device N's block starts at N x this */
#define PVP_REG_PORT		0x00	/* the pvpanic port (read: capability) */
#define PVP_REG_SCRATCH		0x08	/* plain memory, for multi_store */
#define PVP_REG_FAIL		0x0f	/* every access fails */

#endif /* _PVPANIC_SIM_OEM_H */
