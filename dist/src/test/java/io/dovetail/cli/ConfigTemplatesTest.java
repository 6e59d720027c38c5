package io.dovetail.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dovetail.common.config.ConfigEntry;
import io.dovetail.common.config.ConfigEntryProvider;
import io.dovetail.common.config.ConfigReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigTemplatesTest {
  final List<ConfigEntryProvider> all = ConfigReference.providers();

  @Test
  void theServerTemplateListsEveryKeyButThePluginsAtItsDefault() {
    String t = ConfigTemplates.serverTemplate(all);
    for (ConfigEntryProvider p : all) {
      for (ConfigEntry<?> e : p.entries()) {
        boolean plugin = p.getClass().getPackageName().startsWith("io.dovetail.spark");
        String line = "\n#" + e.key() + "=" + (e.defaultValue() == null ? "" : e.defaultText())
            + "\n";
        if (plugin) {
          assertThat(t).doesNotContain("#" + e.key() + "=");
        } else {
          assertThat(t).as(e.key()).contains(line);
        }
      }
    }
    assertThat(t).contains("#dovetail.storage.memoryLimit=1g", "#dovetail.metadata.port=");
  }

  /** Servers refuse keys outside the known groups as typos: every real key is inside one. */
  @Test
  void everyKeyIsInAKnownGroup() {
    for (ConfigEntryProvider p : all) {
      for (ConfigEntry<?> e : p.entries()) {
        String group = e.key().split("\\.")[1];
        assertThat(ConfigReference.GROUPS).as(e.key()).contains(group);
      }
    }
    assertThat(all).as("every module's keys are on this class path").hasSizeGreaterThan(4);
  }

  @Test
  void theSparkTemplateSetsTheShuffleManagerAndPrefixesKeys() {
    String t = ConfigTemplates.sparkTemplate(all);
    assertThat(t).contains(
        "\nspark.shuffle.manager=org.apache.spark.shuffle.dovetail.DovetailShuffleManager\n",
        "\n#spark.dovetail.metadata.address=\n", "\n#spark.dovetail.shuffle.replication=1\n",
        "\n#spark.dovetail.client.integrityCheck=");
    assertThat(t).doesNotContain("\n#dovetail.", "dovetail.storage.dirs",
        "dovetail.metadata.dbDir");
  }

  @Test
  void theBuildWroteTheCurrentTemplates() throws Exception {
    Path dir = Path.of("target/generated-conf");
    assertThat(Files.readString(dir.resolve(ConfigTemplates.SERVER_FILE)))
        .isEqualTo(ConfigTemplates.serverTemplate(all));
    assertThat(Files.readString(dir.resolve(ConfigTemplates.SPARK_FILE)))
        .isEqualTo(ConfigTemplates.sparkTemplate(all));
  }
}
