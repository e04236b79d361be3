// SPDX-License-Identifier: GPL-2.0
/*
 * A module that warns on load, for the harness's own test: a run whose
 * guest log shows a WARNING must fail even though every command passed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init warn_test_init(void)
{
	WARN_ON(1);
	return 0;
}
module_init(warn_test_init);

static void __exit warn_test_exit(void)
{
}
module_exit(warn_test_exit);

MODULE_DESCRIPTION("Deliberate WARN_ON for the VM harness self-test");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
