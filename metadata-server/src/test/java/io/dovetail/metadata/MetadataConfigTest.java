package io.dovetail.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.ConfigReference;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetadataConfigTest {

  @Test
  void everyDeclaredKeyIsListedDocumentedAndFoundByServiceLoader() throws Exception {
    List<ConfigEntry<?>> declared = new ArrayList<>();
    for (Field f : MetadataConfig.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigEntry.class) {
        declared.add((ConfigEntry<?>) f.get(null));
      }
    }
    List<ConfigEntry<?>> listed = new MetadataConfig().entries();
    assertThat(listed).containsExactlyInAnyOrderElementsOf(declared);
    assertThat(listed).extracting(ConfigEntry::key).doesNotHaveDuplicates()
        .allMatch(k -> k.startsWith("dovetail.metadata."));
    assertThat(listed).allMatch(e -> !e.doc().isBlank() && e.defaultValue() != null);
    assertThat(ConfigReference.providers()).extracting(ConfigEntryProvider::getClass)
        .contains(MetadataConfig.class);
  }

  @Test
  void syncWritesDefaultsToOff() {
    assertThat(MetadataConfig.SYNC_WRITES.defaultValue()).isFalse();
    assertThat(MetadataConfig.SYNC_WRITES.parse("true")).isTrue();
  }
}
