#!/usr/bin/env python3
"""Fills the Spirit site with the benchmark's shape, through Spirit's models (Django ORM).

200 members, a category, 1,000 topics of one post each, and the topic "Honderd reacties" with its
opening post and 100 replies (101 comments in Spirit, where the opening post is a comment too).
Spirit's counters are set as its own views would leave them: Topic.comment_count (the opening post
included), Topic.last_active, UserProfile.topic_count / comment_count. Spirit numbers comments in
the template from their order by date, so each comment gets its own increasing date. The djconfig
values comments_per_page = 101 (the long topic on one page) and topics_per_page = 30 (as Kring's
topic list) are stored too.

Run by setup.sh as: .venv/bin/python fill.py (with DJANGO_SETTINGS_MODULE=kringbench.settings).
Idempotent: does nothing when the long topic is already there. Writes site/bench-urls.json.
"""
import json
import os
import pathlib
import sys
from collections import Counter
from datetime import timedelta

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "site"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kringbench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from djconfig.models import Config  # noqa: E402
from spirit.category.models import Category  # noqa: E402
from spirit.comment.models import Comment  # noqa: E402
from spirit.core.utils.markdown import Markdown  # noqa: E402
from spirit.topic.models import Topic  # noqa: E402
from spirit.user.models import UserProfile  # noqa: E402

MEMBERS = 200
TOPICS = 1000
REPLIES = 100
LONG_TITLE = "Honderd reacties"
PASSWORD = "spirit-bench-2026"


def html(text):
    return Markdown().render(text)


def store_config():
    # djconfig reads each key through Spirit's admin form (kringbench.apps lifts the 100 bound).
    for key, value in {"comments_per_page": "101", "topics_per_page": "30"}.items():
        Config.objects.update_or_create(key=key, defaults={"value": value})
    # Tell every process to reload its config (djconfig compares this stamp on each request).
    Config.objects.update_or_create(key="_updated_at", defaults={"value": str(timezone.now())})


def write_urls(long_topic):
    urls = {"topic_list": "/", "long_topic": long_topic.get_absolute_url()}
    (HERE / "site" / "bench-urls.json").write_text(json.dumps(urls, indent=2) + "\n")
    return urls


@transaction.atomic
def fill():
    User = get_user_model()
    start = timezone.now() - timedelta(days=30)
    password = make_password(PASSWORD)

    # Members: bulk, then their Spirit profiles (the post_save signal that makes them does not fire).
    User.objects.bulk_create([
        User(username=f"lid{n:03d}", email=f"lid{n:03d}@example.org", password=password,
             date_joined=start, is_active=True)
        for n in range(1, MEMBERS + 1)
    ])
    users = list(User.objects.filter(username__startswith="lid").order_by("username"))
    assert len(users) == MEMBERS

    category = Category.objects.create(
        title="Algemeen", description="Over alles wat de buurt bezighoudt.", sort=1)

    # 1,000 topics, one opening comment each, 40 minutes apart so the list order is stable.
    topics = []
    for i in range(TOPICS):
        when = start + timedelta(minutes=40 * i)
        topics.append(Topic(user=users[i % MEMBERS], category=category,
                            title=f"Onderwerp nummer {i} over energie", date=when, last_active=when,
                            reindex_at=when, comment_count=1))
    Topic.objects.bulk_create(topics, batch_size=500)
    topics = list(Topic.objects.filter(category=category).order_by("date", "pk"))
    comments = []
    for i, topic in enumerate(topics):
        text = f"Tekst van onderwerp {i}."
        comments.append(Comment(user=topic.user, topic=topic, comment=text, comment_html=html(text),
                                date=topic.date, ip_address="127.0.0.1"))

    # The long topic: newest, so it heads the topic list; 101 comments a minute apart.
    long_start = start + timedelta(minutes=40 * TOPICS)
    long_last = long_start + timedelta(minutes=REPLIES)
    long = Topic.objects.create(user=users[0], category=category, title=LONG_TITLE, date=long_start,
                                last_active=long_last, reindex_at=long_last, comment_count=REPLIES + 1)
    texts = ["Het begin van een lang gesprek."] + [
        f"Reactie {n}: zo doen wij het thuis." for n in range(1, REPLIES + 1)]
    for n, text in enumerate(texts):
        author = users[0] if n == 0 else users[n % MEMBERS]
        comments.append(Comment(user=author, topic=long, comment=text, comment_html=html(text),
                                date=long_start + timedelta(minutes=n), ip_address="127.0.0.1"))
    Comment.objects.bulk_create(comments, batch_size=500)

    topic_counts = Counter(t.user_id for t in topics + [long])
    comment_counts = Counter(c.user_id for c in comments)
    UserProfile.objects.bulk_create([
        UserProfile(user=u, nickname=u.username, is_verified=True, last_seen=start,
                    topic_count=topic_counts[u.pk], comment_count=comment_counts[u.pk])
        for u in users
    ])
    return long


def check(long):
    assert Topic.objects.filter(category__title="Algemeen").count() == TOPICS + 1
    assert Comment.objects.filter(topic=long).count() == REPLIES + 1 == long.comment_count
    assert UserProfile.objects.count() >= MEMBERS


def main():
    store_config()
    long = Topic.objects.filter(title=LONG_TITLE).first()
    if long is None:
        print(f"filling: {MEMBERS} members, {TOPICS} topics and one of {REPLIES + 1} posts …", flush=True)
        long = fill()
    else:
        print("already filled", flush=True)
    long.refresh_from_db()
    check(long)
    urls = write_urls(long)
    print(json.dumps(urls))


if __name__ == "__main__":
    main()
