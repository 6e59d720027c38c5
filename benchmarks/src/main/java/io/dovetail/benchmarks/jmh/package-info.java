/**
 * JMH microbenchmarks of the hot paths: frame encoding and decoding, a map task's write path
 * (serialize, buffer per partition or sort, compress, push, commit) and a reduce task's read path
 * (fetch, verify, decompress, deserialize), the last two against a real in-process cluster. Run
 * with {@code benchmarks/bin/jmh}.
 */
package io.dovetail.benchmarks.jmh;
