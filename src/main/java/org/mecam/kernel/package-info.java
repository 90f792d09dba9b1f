/**
 * The kit's Jupyter kernel: JShell behind the Jupyter protocol ({@link org.mecam.kernel.MecamKernel}),
 * served on a connection ({@link org.mecam.kernel.KernelServer}), with its class path and
 * magics ({@link org.mecam.kernel.KernelClasspath}), errors ({@link org.mecam.kernel.KernelError}),
 * code analysis, history, replies the base library lacks, and its installer
 * ({@link org.mecam.kernel.KernelInstaller}). What notebooks call lives in
 * {@code org.mecam.notebook}.
 */
package org.mecam.kernel;
