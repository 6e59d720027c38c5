/**
 * Pushing one map attempt's output: {@link io.dovetail.client.push.ShufflePusher} batches, frames,
 * sends asynchronously with bounded in-flight bytes, retries, reroutes to new epochs when a
 * location fails, and commits.
 */
package io.dovetail.client.push;
