"""Distributed crawling on Redis: scrapy-redis 0.9.1, made to work with Scrapy 2.19.

Any number of worker processes, on any number of machines, run the same
spiders against one Redis server:

* the request queue and the duplicate filter are in Redis (scrapy-redis's
  scheduler and ``RFPDupeFilter``), so no page and no article is fetched
  twice in a run, whichever worker finds it;
* start URLs are pushed once (``newscrawl push``) to the
  ``<prefix>:start_urls`` list; every worker takes from it (start URLs given
  to the workers themselves go through the shared duplicate filter, so
  starting every worker with the same ones also fetches each once);
* the workers do not write the archive: each accepted article (after the
  validate, dates, clean and category pipelines) goes to the
  ``<prefix>:items`` list; ``newscrawl export --redis`` takes them into the
  archive's store and exports the archive from it, as a local crawl does.  The store is SQLite in
  the archive directory: workers on other machines cannot share it;
* the codes of articles that reached the items list stay in the
  ``<prefix>:archived`` set; the workers' backend of the "skip known
  articles" component (:mod:`newscrawl.distributed.known`) asks it, so
  scheduled runs stay incremental on every worker.  The collector adds the
  codes of everything in the store, so the set can be rebuilt from the
  archive at any time.

What scrapy-redis 0.9.1 gets wrong with Scrapy 2.19, and what this package
does about it (each is covered by ``tests/test_distributed.py``):

1. Its spiders only implement the old ``start_requests()``; Scrapy 2.13+
   calls ``start()``, so seeds were only read when a spider went idle.
   :class:`DistributedSpiderMixin` implements ``async def start()``.
2. Its seeds become ``dont_filter=True`` requests, so a seed page that is
   also linked from another page was fetched twice.  Seeds here go through
   the spider's own request methods and the shared duplicate filter.
3. Its ``RedisPipeline.process_item(item, spider)`` uses the signature that
   Scrapy 2.19 deprecates and returns a ``Deferred`` (also deprecated);
   its JSON serializer writes dates without their zone.
   :class:`RedisItemPipeline` has the current signature and keeps the zone.
4. Idle workers never exit unless ``MAX_IDLE_TIME_BEFORE_CLOSE`` is set, and
   when it is, the idle time is counted from the moment the module was
   imported (a class attribute), not from when the worker became idle: a
   worker busy for longer than the limit quit at its first idle moment.
   :meth:`DistributedSpiderMixin.spider_idle` counts from when the worker
   became idle.  (Scrapy asks an idle spider every 5 seconds, so a worker
   exits within ``idle + 5`` seconds.)
5. Without ``SCHEDULER_PERSIST`` the first worker to finish deleted the
   shared queue and duplicate filter under the others; with it, the
   duplicate filter grew forever and a second run skipped every page of the
   first.  :class:`RedisScheduler` keeps a register of live workers: the
   first worker of a new run (no live worker, empty queue) clears the
   duplicate filter, and the last one to leave an empty queue deletes it.
6. Its scheduler passes ``spider=`` to the stats collector (deprecated).

The modules, by what they do (none imports the command line; the commands
``crawl --redis``, ``push`` and ``export --redis`` call them):

* :mod:`~newscrawl.distributed.keys`: the Redis keys of a prefix;
* :mod:`~newscrawl.distributed.connection`: connecting, errors without passwords;
* :mod:`~newscrawl.distributed.worker`: a worker's settings, running a worker;
* :mod:`~newscrawl.distributed.scheduler`: the shared queue and the run register;
* :mod:`~newscrawl.distributed.spider`: the spider mixin (seeds, idle exit);
* :mod:`~newscrawl.distributed.known`: the archived codes, for skipping known articles;
* :mod:`~newscrawl.distributed.pipeline` and :mod:`~newscrawl.distributed.article_json`:
  the articles into Redis, as JSON that keeps the dates' zone;
* :mod:`~newscrawl.distributed.seeds`: start URLs in (``newscrawl push``);
* :mod:`~newscrawl.distributed.collector`: the articles out, into the archive's
  store (``newscrawl export --redis``).

Importing this package imports nothing else: the command line imports its
modules only when ``--redis`` is used, so it works without the ``redis`` extra.
"""
