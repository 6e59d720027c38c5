/**
 * The servers' Prometheus endpoint: a registry with the JVM's own metrics, an HTTP server that
 * serves it at {@code /metrics}, and a gRPC interceptor counting control-plane calls. Only the
 * servers load these classes; their Prometheus libraries are optional dependencies of this module.
 */
package io.dovetail.common.metrics;
