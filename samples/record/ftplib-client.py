"""Second FTP client for samples/record/record-more.sh: Python's ftplib against pyftpdlib.

Usage: python3 ftplib-client.py SERVER USER PASSWORD DOWNLOAD_DIR UPLOAD_FILE
One control connection: PASV download, active (PORT) download, PASV upload, NLST.
"""
import ftplib
import os
import sys

server, user, password, download_dir, upload_file = sys.argv[1:6]

with ftplib.FTP() as ftp:
    ftp.connect(server, 21, timeout=10)
    ftp.login(user, password)
    ftp.cwd('pub')
    ftp.set_pasv(True)
    with open(os.path.join(download_dir, 'lines.txt'), 'wb') as out:
        ftp.retrbinary('RETR lines.txt', out.write)
    ftp.set_pasv(False)  # PORT: the server connects back to the client
    with open(os.path.join(download_dir, 'flowsh-64k.bin'), 'wb') as out:
        ftp.retrbinary('RETR flowsh-64k.bin', out.write)
    ftp.set_pasv(True)
    ftp.cwd('/incoming')
    with open(upload_file, 'rb') as data:
        ftp.storbinary('STOR upload-ftplib.bin', data)
    print(ftp.nlst())
    ftp.quit()
