"""Serializer fields shared by the matrix and sharing APIs."""

from rest_framework import serializers


class CodeRelatedField(serializers.SlugRelatedField):
    """A reference to a record by its code. A value with a NUL character names nothing (400), rather than
    reaching PostgreSQL, which refuses NUL in text and would answer with a server error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\x00"))
        return super().to_internal_value(data)
