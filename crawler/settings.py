"""Scrapy settings for hotwatch crawls.

Scrapy's own machinery does the politeness and robustness work: robots.txt,
AutoThrottle, per-domain concurrency, retries, timeouts and the size limit.
hotwatch's settings are upper-case and ``HOTWATCH_``-prefixed; the CLI sets them
from ``hotwatch.toml`` (see ``hotwatch.config``).
"""

from scrapy.settings import default_settings

BOT_NAME = "hotwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- politeness ---------------------------------------------------------------
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts this many asyncio tasks for every response's output; an article page
# yields one item and a list page a few dozen requests, so 100 (the default) is all overhead.
CONCURRENT_ITEMS = 8
# Bytes of responses waiting in the crawler process (for an analysis worker, mostly)
# before Scrapy fetches no more: its 5 MB held 700 pages of the bench site, 15 MB of
# the crawler's peak, while 2 MB keep a worker a second or more ahead.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 2_000_000
DOWNLOAD_DELAY = 0
ROBOTSTXT_OBEY = True
USER_AGENT = "hotwatch/0.1 (news monitoring crawler; +https://github.com/hotwatch/hotwatch)"

# -- robustness ---------------------------------------------------------------
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_TIMES = 2
# Retry-After longer than this gives up on the page ("HTTP 429") instead of waiting.
HOTWATCH_MAX_RETRY_AFTER = 120.0

# -- optional HTTP cache (hotwatch.toml: [crawl] http_cache = true) ------------
HTTPCACHE_ENABLED = False
HTTPCACHE_EXPIRATION_SECS = 3600
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 408, 429]

# -- components -----------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.incremental.IncrementalMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsPolicyMiddleware": 100,
    # Before RetryMiddleware (550) sees a 429/503, so Retry-After sets the domain's pace.
    "crawler.middlewares.retryafter.RetryAfterMiddleware": 560,
    # Only with a shared frontier (HOTWATCH_FRONTIER_URL): per-domain concurrency and delay
    # across workers. Last before the downloader, after the HTTP cache (900).
    "crawler.frontier.pace.SharedPaceMiddleware": 950,
}
SPIDER_MIDDLEWARES = {
    "crawler.frontier.seeding.SeedingMiddleware": 10,
}
# Scrapy's own extensions but its HTTP remote control, which is off unless
# REMOTE_CONTROL_ENABLED but imports aiohttp all the same (Scrapy imports every listed
# component, None or not): 0.17 s of start-up and 7.5 MB of the crawler process.
EXTENSIONS_BASE = {
    path: order
    for path, order in default_settings.EXTENSIONS_BASE.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
EXTENSIONS = {
    "crawler.extensions.progress.ProgressExtension": 500,
    "crawler.extensions.runlog.RunLogExtension": 510,
    "crawler.frontier.heartbeat.HeartbeatExtension": 520,
}
ITEM_PIPELINES = {
    "crawler.pipelines.extract.ExtractPipeline": 100,
    "crawler.pipelines.dedup.DedupPipeline": 200,
    "crawler.pipelines.analyse.AnalysePipeline": 300,
    "crawler.pipelines.store.StorePipeline": 400,
}

# -- hotwatch ---------------------------------------------------------------------
HOTWATCH_ANALYSIS_WORKERS = 1  # child processes for extraction + analysis; 0 = inline
HOTWATCH_DATA_DIR = "hotwatch-data"
# The shared frontier on Redis (hotwatch.toml [queue]); "" = Scrapy's in-process scheduler.
HOTWATCH_FRONTIER_BLOOM = False
HOTWATCH_FRONTIER_BLOOM_CAPACITY = 1_000_000
HOTWATCH_FRONTIER_BLOOM_ERROR_RATE = 0.001
HOTWATCH_FRONTIER_DOMAIN_DELAY = 0.0
HOTWATCH_FRONTIER_FOREVER = False
HOTWATCH_FRONTIER_HEARTBEAT = 5.0
HOTWATCH_FRONTIER_PREFIX = "hotwatch"
HOTWATCH_FRONTIER_SEED = False
HOTWATCH_FRONTIER_SLOT_LEASE = 30.0  # s before a dead worker's per-domain slots are free
HOTWATCH_FRONTIER_URL = ""
HOTWATCH_FRONTIER_VISIBILITY_TIMEOUT = 300.0
HOTWATCH_INDEX = {"backend": "sqlite"}
HOTWATCH_MAX_PAGES = 0
HOTWATCH_MIN_TEXT_CHARS = 80
HOTWATCH_PLANS = []
HOTWATCH_PROGRESS_INTERVAL = 0.0
HOTWATCH_REVISIT_HOURS = 24.0
HOTWATCH_RUN_LOG = ""  # JSON-lines log of every skipped and failed page; "" = none
# Stored documents become searchable (SQLite: one tantivy commit) once this many wait,
# and at least this often; not after every batch.
HOTWATCH_SEARCH_COMMIT_DOCS = 200
HOTWATCH_SEARCH_COMMIT_SECONDS = 5.0
HOTWATCH_STORE_BATCH = 50

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
