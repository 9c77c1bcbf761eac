"""Send procdsl process strings to OSS (placeholder; filled in below)."""
