/**
 * Typed configuration. Each module declares its keys as {@link io.dovetail.common.config.ConfigEntry}
 * constants in its own {@code *Config} class and lists them through a
 * {@link io.dovetail.common.config.ConfigEntryProvider} found by {@link java.util.ServiceLoader};
 * {@link io.dovetail.common.config.ConfigReference} renders the README reference from them.
 * Values live in a {@link io.dovetail.common.config.DovetailConf}. Keys start with {@code dovetail.};
 * inside Spark the same keys carry the {@code spark.} prefix.
 */
package io.dovetail.common.config;
