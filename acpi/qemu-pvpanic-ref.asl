/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference only (compiled by the build so it stays valid, never loaded):
 * the pvpanic device as QEMU 7.2 describes it in its DSDT for
 * "-device pvpanic" (ioport=0x505, the default), under the ISA bridge.
 * acpi/pvpanic-sim.asl follows this shape, with the register moved from
 * SystemIO to the OEM space served by pvpanic_sim.
 */
DefinitionBlock ("", "SSDT", 2, "PVPSIM", "QEMUREF", 0x00000001)
{
    External (\_SB.PCI0.ISA, DeviceObj)

    Scope (\_SB.PCI0.ISA)
    {
        Device (PEVT)
        {
            Name (_HID, "QEMU0001")
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0505, 0x0505, 0x01, 0x01)
            })
            OperationRegion (PEOR, SystemIO, 0x0505, One)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
                PEPT, 8
            }

            Name (_STA, 0x0B)

            Method (RDPT, 0, NotSerialized)
            {
                Local0 = PEPT
                Return (Local0)
            }

            Method (WRPT, 1, NotSerialized)
            {
                PEPT = Arg0
            }
        }
    }
}
