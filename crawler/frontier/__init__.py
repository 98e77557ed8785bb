"""A crawl frontier shared by several processes on a real Redis, built on scrapy-redis.

``scheduler.FrontierScheduler`` keeps each source's requests in Redis; a request
taken by a worker is leased (``queue.LeasedQueue``) and comes back to the queue when
its worker dies before finishing it. ``dupefilter.FrontierFilter`` remembers article
URLs for ``revisit_hours`` (exact fingerprints, or a Bloom filter), list pages for one
seeding. ``heartbeat``, ``pace`` and ``seeding`` are the extension, downloader and
spider middleware that make workers visible, polite together, and seed-or-work.
Every component is enabled by settings (``HOTWATCH_FRONTIER_URL`` set) and raises
``NotConfigured`` otherwise.
"""
