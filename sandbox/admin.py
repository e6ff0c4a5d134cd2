from django.contrib import admin

from .models import Author, Book, CheapBook, Customer, Order, OrderItem, Publisher, Review, Store


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "learner"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "age"]


@admin.register(Book, CheapBook)
class BookAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "price", "rating", "stock", "review_count"]
    list_filter = ["publisher"]
    filter_horizontal = ["authors"]
    list_select_related = ["publisher"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    filter_horizontal = ["books"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "email"]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    raw_id_fields = ["book"]


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["pk", "customer", "created", "status", "total_price", "discounted_price"]
    list_select_related = ["customer"]
    inlines = [OrderItemInline]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["book", "customer", "stars", "created"]
    list_select_related = ["book", "customer"]
