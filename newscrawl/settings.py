"""Scrapy settings of newscrawl: polite defaults for the real source.

newscrawl's own settings share the ``NEWSCRAWL_`` prefix.
"""

from newscrawl import __version__

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"

USER_AGENT = f"newscrawl/{__version__} (+https://github.com/newscrawl/newscrawl; news archive bot)"

# Current Scrapy idioms: the asyncio reactor (Scrapy's default, stated here).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Scrapy 2.19's RemoteControl extension opens an HTTP endpoint that executes
# Python code inside the crawl.  A crawler of other people's sites has no use
# for that: keep it off.
REMOTE_CONTROL_ENABLED = False
TELNETCONSOLE_ENABLED = False

# Politeness.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30

# Faults: retry 5xx and timeouts, waiting longer before each retry
# (newscrawl.middlewares.backoff: Scrapy has no backoff of its own).  A refused
# connection or an unknown host is not retried: asking again at once does
# not change it.  Each request that still fails is reported once by the run
# report, so Scrapy's own "gave up retrying" line is not shown.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.DownloadTimeoutError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectionLost",
    "twisted.internet.error.TCPTimedOutError",
    OSError,
    "scrapy.core.downloader.handlers.http11.TunnelError",
]
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
DOWNLOADER_MIDDLEWARES = {
    "newscrawl.middlewares.backoff.RetryBackoffMiddleware": 560,
    # The HTTP cache (below), without serving a cached page for a download
    # error: the failure is retried and reported instead (newscrawl.middlewares.httpcache).
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
    "newscrawl.middlewares.httpcache.RevalidatingCacheMiddleware": 900,
    # Against a hostile source (README: Against a hostile source): redirects
    # only on the crawl's own hosts, ports and schemes, and a size bound hit
    # reported with its reason; both replace Scrapy's own at the same place.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.offsite_redirect.OffsiteRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawl.middlewares.answer_size.BoundedCompressionMiddleware": 590,
}
NEWSCRAWL_RETRY_BACKOFF_BASE = 1.0
NEWSCRAWL_RETRY_BACKOFF_MAX = 60.0
# Longest Retry-After wait honoured (seconds): a source asking for more is
# asked again next run instead of holding this one (and a schedule) up.
NEWSCRAWL_RETRY_AFTER_MAX = 120.0

# Bounds against a hostile or broken source (README: Against a hostile source);
# 0 switches one off, as with Scrapy's own.
# An answer, once inflated, is at most this big: articles are a few KiB and
# listings a few hundred; Scrapy's 1 GiB let a 1 MB gzip bomb take 13 GB of memory.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
# Redirect hops per request: the source's own redirects take one or two.
REDIRECT_MAX_TIMES = 5
# A meta refresh is a redirect that no host check of Scrapy's applies to, and
# neither the article endpoint nor a listing of the source uses one: off.
METAREFRESH_ENABLED = False
# Pages of one listing followed per run (its pagination): a listing that
# always links one more page would otherwise hold the run, and a schedule, for ever.
NEWSCRAWL_MAX_PAGES_PER_LISTING = 200
# Links followed from one page or list feed (share links, post pages, next
# pages): a real page has a few dozen; a page of a million would fill the queue.
NEWSCRAWL_MAX_LINKS_PER_PAGE = 1000

# Fixed-size memory per page: nothing of the crawl is kept in the process.
COOKIES_ENABLED = False
# Items (and requests) of one callback handled at once.  Scrapy 2.19 starts
# that many asyncio tasks for every callback's output, whatever its length;
# an article callback yields one item and the pipelines do not wait on I/O,
# so the default of 100 only costs CPU: about 0.6 ms per article, a third of
# what a bare Scrapy spider spends on the whole download (benchmarks/README.md).
CONCURRENT_ITEMS = 8
LOG_LEVEL = "INFO"
# The run report logs each rejected article in one line; Scrapy's own line
# for it (with the whole item) is for debugging.
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

ITEM_PIPELINES = {
    "newscrawl.pipelines.validate.ValidatePipeline": 100,
    "newscrawl.pipelines.dates.DatesPipeline": 200,
    "newscrawl.pipelines.clean.CleanHtmlPipeline": 300,
    "newscrawl.pipelines.category.CategoryPipeline": 400,
    "newscrawl.pipelines.archive.ArchivePipeline": 900,
}

EXTENSIONS = {
    "newscrawl.extensions.report.RunReport": 500,
}

# newscrawl's own settings: each declared here once, read with no fallback of
# its own by the component that uses it (the CLI's options set them too).
#: The archive directory (``--out``).
NEWSCRAWL_OUT_DIR = "output"
#: The output format of the archive, by name, and the formats known
#: (name -> class; see newscrawl.formats), as Scrapy's FEED_EXPORTERS.
NEWSCRAWL_FORMAT = "jekyll"
NEWSCRAWL_FORMATS = {"jekyll": "newscrawl.formats.jekyll.JekyllFormat"}
#: The published archive's address, in every post's links and _config.yml
#: (``--site-url``).  An archive remembers the one of its last export: a run
#: that does not give this setting (CLI, ``-s`` or spider) keeps the
#: archive's, and this default only applies to a new archive
#: (newscrawl.archive.Archive.site_url).
NEWSCRAWL_SITE_URL = "//finews.withounder.com"
#: Posts older than this many days (Beijing dates) go to old_post/; 0 keeps
#: every post in _posts/ (``--keep-days``).  Remembered like the site URL.
NEWSCRAWL_KEEP_DAYS = 0
NEWSCRAWL_SLUG_OVERRIDES: dict[str, str] = {}
NEWSCRAWL_MAX_FUTURE_HOURS = 48.0
#: Articles dated before this day (Beijing time) are rejected: the source did
#: not exist then, and a year 0001 or 999 is a broken date, not a real one.
NEWSCRAWL_MIN_DATE = "1990-01-01"
#: Seconds between two progress lines of a crawl; 0: none.
NEWSCRAWL_PROGRESS_INTERVAL = 10.0
#: The run report (progress, summary, rejects log) is on.
NEWSCRAWL_REPORT_ENABLED = True
#: Every export also updates the archive's search index (``pagefind/``, needs the
#: ``search`` extra); ``--no-search`` turns it off.
NEWSCRAWL_SEARCH = True
#: Where list-feed entries' and share links' articles are fetched, when not on
#: their own host (``http://host:port``; empty: the feed's or link's host).
NEWSCRAWL_ARTICLE_HOST = ""

# Bounds on cleaning one article body (newscrawl.cleaning.bounds); a body
# beyond one is rejected with its reason.  Cleaning is linear in size but
# quadratic in nesting depth (100,000 levels took about 50 s of CPU in the
# reactor thread).  The source's bodies are under 100,000 characters and nest
# fewer than 20 levels; these bounds leave room (a hostile body of 500 nested
# <div> is still cleaned) and keep an article's cleaning under a second.
NEWSCRAWL_MAX_BODY_CHARS = 1_000_000
NEWSCRAWL_MAX_NESTING = 1_000

# Listings (category pages, post pages, feeds) are asked again on every run
# with the validators of their last answer (If-None-Match, If-Modified-Since):
# an unchanged page is a bodiless 304.  Article answers are never cached.
# The cache is <archive>/.newscrawl/httpcache (newscrawl.middlewares.httpcache).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "newscrawl.middlewares.httpcache.RevalidatePolicy"
HTTPCACHE_STORAGE = "newscrawl.middlewares.httpcache.ArchiveCacheStorage"
HTTPCACHE_DIR = "httpcache"

# Which articles a crawl does not request again (newscrawl.spiders.known): a
# class answering ``code in known``.  The store's codes; the workers of a
# distributed crawl ask Redis instead (newscrawl.distributed.worker sets it).
# NEWSCRAWL_REFRESH = True requests every article again (--refresh).
NEWSCRAWL_KNOWN_BACKEND = "newscrawl.spiders.known.StoreKnownArticles"
NEWSCRAWL_REFRESH = False

# Distributed crawling (newscrawl.distributed; `crawl --redis URL`, which sets
# scrapy-redis's REDIS_URL): the prefix of every Redis key (--redis-prefix), and
# how long an idle worker waits for new work before it exits (--idle-exit; 0:
# forever).  Scrapy asks an idle spider every 5 s, so it exits up to 5 s later.
NEWSCRAWL_REDIS_PREFIX = "newscrawl"
NEWSCRAWL_IDLE_EXIT = 30.0
