"""Writing the output: the staged writer, the build cache, the manifest of what each output was made from."""
