"""The item types newscrawl moves through its pipelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: The channels an article reaches the crawl through; each gives the article a post.
#: ``media``: a media list, a category page or a share link (the post under the media's
#: category); ``emnews``: the rolling-news list (东财滚动新闻, a post of its own form).
MEDIA = "media"
EMNEWS = "emnews"
CHANNELS = (MEDIA, EMNEWS)


@dataclass(frozen=True)
class Channel:
    """How an article reached the crawl, with what that way said about it.

    A rolling-news entry names its own post (``entry_id``, digits) and carries
    the quote (``digest``) and the link (``url_w``) its post shows; a media
    sighting carries nothing more.
    """

    kind: str = MEDIA
    entry_id: str = ""
    digest: str = ""
    url_w: str = ""
    #: The post was served at ``/old_post/<file>.html`` (moved there by the first
    #: generator): that URL keeps answering wherever the post is now.
    was_in_old_post: bool = False

    def post_name(self, code: str) -> str:
        """The name of the post article ``code`` gets through this channel (its file
        ``<date>-<name>.md``): the rolling-news entry's id, else the article's code."""
        return self.entry_id if self.kind == EMNEWS and self.entry_id else code


@dataclass
class Article:
    """An article of the source, from its raw JSON to what the archive stores.

    The spider fills the raw fields (``code`` to ``digest``) and the channels
    it came through; the pipelines derive ``date``, the cleaned ``body``,
    ``slug`` and ``tag``.  Pipelines read and write it through
    :class:`itemadapter.ItemAdapter`.
    """

    code: str
    share_url: str
    found_on: str = ""
    title: str = ""
    raw_date: object = None
    media: str = ""
    body: str = ""
    digest: str = ""
    date: datetime | None = None
    slug: str = ""
    tag: str = ""
    fetched_at: datetime | None = None
    channels: list[Channel] = field(default_factory=list)


@dataclass
class ChannelSighting:
    """An article already archived (or already requested in this run) seen through a channel.

    Not an article: the pipelines pass it on untouched and the archive records
    the channel, so that the article gets that channel's post without being
    fetched again.
    """

    code: str
    channel: Channel


def channel_from_value(value: object) -> Channel:
    """A :class:`Channel` from itself or from its ``dict`` form (``ItemAdapter.asdict``, JSON)."""
    if isinstance(value, Channel):
        return value
    if isinstance(value, dict):
        return Channel(
            **{k: str(v) for k, v in value.items()
               if k in ("kind", "entry_id", "digest", "url_w") and v is not None},
            was_in_old_post=bool(value.get("was_in_old_post")),
        )
    raise TypeError(f"not a channel: {value!r}")
