package io.dovetail.common.config;

import java.util.List;

/**
 * Lists one module's configuration entries. Implementations are registered in
 * {@code META-INF/services/io.dovetail.common.config.ConfigEntryProvider}.
 */
public interface ConfigEntryProvider {
  /** A short group title for the reference, such as "Storage server". */
  String group();

  /** Sort key of the group in the reference; lower first. */
  default int order() {
    return 100;
  }

  List<ConfigEntry<?>> entries();
}
