package io.dovetail.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.ConfigReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration reference is generated from the typed configuration entries of every
 * module; this fails when it is stale. Regenerate with {@code ./dev/update-config-reference}.
 */
class ConfigReferenceTest {
  static final Path README = Path.of("../README.md");

  @Test
  void everyModuleContributesItsKeys() {
    List<ConfigEntryProvider> providers = ConfigReference.providers();
    assertThat(providers).extracting(ConfigEntryProvider::group).contains(
        "Common (all processes)", "Metadata server", "Storage server", "Client",
        "Spark plugin (prefix every key with spark.)");
  }

  @Test
  void readmeReferenceIsCurrent() throws Exception {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    String current = ConfigReference.splice(readme,
        ConfigReference.markdown(ConfigReference.providers()));
    if (Boolean.getBoolean("dovetail.updateDocs")) {
      Files.writeString(README, current, StandardCharsets.UTF_8);
      return;
    }
    assertThat(readme).as("README.md configuration reference; run ./dev/update-config-reference")
        .isEqualTo(current);
  }
}
