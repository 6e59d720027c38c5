/**
 * The {@code dovetail} command line ({@link io.dovetail.cli.DovetailCli}, picocli): one
 * subcommand class each for running a metadata or storage server (delegating to the servers' own
 * mains), showing cluster status, draining a storage server or cancelling its drain, and running
 * the demo; plus the configuration templates rendered at build time
 * ({@link io.dovetail.cli.ConfigTemplates}).
 *
 * <p>Exit status of every subcommand: 0 on success, 1 when the work failed (a server unreachable,
 * a refused request, a failed demo run), 2 for a bad command line. Output formatting lives in
 * {@code format}, the demo's orchestration in {@code demo}.
 */
package io.dovetail.cli;
