# The SmartWork image for servers (web, worker and beat run the same image; see docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=smartwork.settings.prod
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
RUN useradd --create-home smartwork && mkdir -p /var/lib/smartwork/imports && chown smartwork /var/lib/smartwork/imports
USER smartwork
EXPOSE 8000
CMD ["gunicorn", "smartwork.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
