/**
 * An in-process Dovetail cluster: one metadata server and N storage servers on loopback with
 * ephemeral ports. It is the Spark plugin's single-flag default (no metadata address configured)
 * and the in-process cluster of tests and benchmarks.
 */
package io.dovetail.embedded;
