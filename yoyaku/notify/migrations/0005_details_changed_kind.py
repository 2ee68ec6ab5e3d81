# The email confirming that a resident changed their contact details, booker or move-up wish.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0004_move_up_offer_kind'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('booked', 'booking confirmation'), ('changed', 'change'), ('cancelled', 'cancellation'), ('reminder', 'reminder'), ('move_up_offer', 'move-up offer'), ('details_changed', 'contact details changed')], max_length=20, verbose_name='kind'),
        ),
    ]
