"""ORM lessons 8-10 (locking, new in Django 5, testing queries): they render in order, and their predictions point home."""

from lab import registry

NEW = {
    "/orm/locking/": "orm.locking",
    "/orm/new-in-django-5/": "orm.django5",
    "/orm/testing-queries/": "orm.testing-queries",
}


def test_the_new_lessons_follow_raw_sql_in_the_track(client, db):
    from lessons.catalogue import get_catalogue

    urls = [lesson.url for lesson in get_catalogue().lessons if lesson.url.startswith("/orm/")]
    assert urls[-4:] == ["/orm/raw-sql/", *NEW]


def test_each_new_lesson_embeds_its_demo_and_its_predictions_point_at_a_heading(client, db):
    for url, slug in NEW.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'data-demo="{slug}"' in html
        for prediction in registry.get(slug).predictions:
            assert f'id="{prediction.see.lstrip("#")}"' in html, (url, prediction.see)
