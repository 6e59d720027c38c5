/**
 * The service-provider interface through which a client starts an in-process cluster (the Spark
 * plugin's embedded mode) without depending on the server modules. The implementation lives in
 * the {@code embedded} module and is found with {@link java.util.ServiceLoader}.
 */
package io.dovetail.common.local;
