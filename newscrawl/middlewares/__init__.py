"""Downloader middlewares: retry backoff and the listings' revalidating HTTP cache."""
