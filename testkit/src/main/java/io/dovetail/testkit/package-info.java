/**
 * Test support shared by every module: real child JVMs ({@link io.dovetail.testkit.JavaProcess}),
 * waiting on conditions instead of sleeping ({@link io.dovetail.testkit.Await}), Netty leak
 * detection that fails a test class ({@link io.dovetail.testkit.NettyLeakDetectionExtension}),
 * and a {@link io.dovetail.testkit.ManualClock}. Used at test scope only; depends on no other Dovetail module,
 * so every module, common included, can use it.
 */
package io.dovetail.testkit;
