# coding: utf-8

from __future__ import absolute_import

from model.aws.ec2.marshaller import Marshaller
from model.aws.ec2.aws_event import AWSEvent
from model.aws.ec2.ec2_instance_state_change_notification import EC2InstanceStateChangeNotification
