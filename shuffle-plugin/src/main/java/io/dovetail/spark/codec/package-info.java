/** Payload formats of batches: how serialized records are compressed into a pushed batch. */
package io.dovetail.spark.codec;
